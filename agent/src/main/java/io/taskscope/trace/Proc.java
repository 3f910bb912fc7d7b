package io.taskscope.trace;

import java.util.concurrent.CompletableFuture;

/** One traced process (thread group): tracer-thread state, plus its {@link ModeStats} for everyone. */
final class Proc {
    final int pid;
    final long startTime;
    final int ppid;
    String comm;
    /** Executable inside the process's root, read at attach and exec (a fork inherits it); null when unreadable. */
    String exe;
    int uid;
    final String container;
    int threads;
    boolean compatReported;
    CompletableFuture<Void> detached;
    final ModeStats stats;

    Proc(int pid, long startTime, int ppid, String comm, String exe, int uid, String container, TraceMode mode) {
        this.pid = pid;
        this.startTime = startTime;
        this.ppid = ppid;
        this.comm = comm;
        this.exe = exe;
        this.uid = uid;
        this.container = container;
        this.stats = new ModeStats(mode, System.nanoTime());
    }

    TraceMode mode() {
        return stats.mode();
    }

    TracedProcess view() {
        return new TracedProcess(pid, startTime, comm, threads, container, stats);
    }
}
