package io.taskscope.trace;

import static io.taskscope.linux.Ptrace.*;

import io.taskscope.event.ProcessEvent;
import io.taskscope.linux.Signals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Who is traced: every traced thread ({@link Tracee}, by tid) and process ({@link Proc}, by pid), how they come
 * (attach, fork, clone, exec from a non-leader thread) and go, and the snapshot other threads read. The process
 * events (start, exec, exit) are emitted here, where the bookkeeping happens. Tracer thread only, except
 * {@link #snapshot()}.
 */
final class Registry {
    private final TraceOptions options;
    private final Emitter emit;
    private final Modes modes;
    private final IntMap<Tracee> tracees = new IntMap<>();
    private final Map<Integer, Proc> procs = new HashMap<>();
    private final Set<Integer> released = new HashSet<>();
    private final CompletableFuture<Void> allGone = new CompletableFuture<>();
    private volatile List<TracedProcess> snapshot = List.of();
    boolean attachedOnce;
    Affinity affinity;

    Registry(TraceOptions options, Emitter emit, Modes modes) {
        this.options = options;
        this.emit = emit;
        this.modes = modes;
    }

    // ---------------------------------------------------------------- lookups

    Tracee tracee(int tid) {
        return tracees.get(tid);
    }

    Proc proc(int pid) {
        return procs.get(pid);
    }

    int threadCount() {
        return tracees.size();
    }

    /** Threads being released (a child not followed, a detach under way): traced still, but not for the output's framing. */
    private int detachingThreads;

    /** Marks {@code t} as being released at its next stop; once. */
    void markDetaching(Tracee t) {
        if (t.detaching) return;
        t.detaching = true;
        detachingThreads++;
    }

    /** Traced threads that stay traced: strace's count for its "[pid N] " prefix. */
    int keptThreadCount() {
        return tracees.size() - detachingThreads;
    }

    private void forgetThread(Tracee t) {
        tracees.remove(t.tid);
        if (t.detaching) detachingThreads--;
    }

    /** Every traced thread (a copy: the caller may add and remove while iterating). */
    List<Tracee> threads() {
        return tracees.values();
    }

    List<Tracee> threadsOf(Proc p) {
        List<Tracee> out = new ArrayList<>(p.threads);
        for (Tracee t : tracees.values()) if (t.proc == p) out.add(t);
        return out;
    }

    List<TracedProcess> snapshot() {
        return snapshot;
    }

    CompletableFuture<Void> allGone() {
        return allGone;
    }

    // ---------------------------------------------------------------- coming

    /** A process we attach to (Attacher): registered before its threads are seized. */
    Proc register(Proc p) {
        procs.put(p.pid, p);
        return p;
    }

    /** A thread we seized, in its process's mode. */
    Tracee addThread(int tid, Proc p) {
        Tracee t = new Tracee(tid, p, p.mode());
        tracees.put(tid, t);
        p.threads++;
        return t;
    }

    /** A stop from a tid we do not know: a new thread or child whose creator's event comes later. */
    Tracee adopt(int tid, int status) {
        if (!stopped(status)) return null; // exit of something we already forgot
        int tgid = ProcFs.statusInt(tid, "Tgid", tid);
        Proc p = procs.get(tgid);
        boolean newProcess = p == null;
        if (newProcess) {
            int ppid = ProcFs.ppid(tgid);
            p = newProc(tgid, ppid, procs.get(ppid));
        }
        Tracee t = addThread(tid, p);
        if (newProcess && !options.followForks()) {
            markDetaching(t);
            released.add(tid); // its creator's fork event, still to come, must not re-register it
        }
        publish();
        return t;
    }

    /** A fork, vfork or clone event of {@code parent}: the child is auto-attached by the kernel. */
    void newTask(Tracee parent, int child, int ev) {
        if (tracees.get(child) != null || released.remove(child)) return; // its first stop came first: adopt() did it
        int tgid = ev == EVENT_CLONE ? ProcFs.statusInt(child, "Tgid", child) : child;
        boolean thread = tgid == parent.proc.pid && ev == EVENT_CLONE;
        Proc p = thread ? parent.proc : newProc(child, parent.proc.pid, parent.proc);
        Tracee t = addThread(child, p);
        // a new thread starts in its process's mode: the one a pending switch is taking the other threads to
        if (!thread && !options.followForks()) {
            markDetaching(t); // not following children: released at its first stop
        } else if (parent.detaching) {
            markDetaching(t);
        }
        publish();
    }

    private Proc newProc(int pid, int ppid, Proc parent) {
        String comm = parent != null ? parent.comm : ProcFs.comm(pid);
        int uid = parent != null ? parent.uid : ProcFs.statusInt(pid, "Uid", -1);
        String container = parent != null ? parent.container : options.containerOf().apply(pid);
        String exe = parent != null ? parent.exe : ProcFs.exe(pid).orElse(null);
        TraceMode mode = parent != null ? parent.mode() : modes.defaultMode();
        Proc p = new Proc(pid, ProcFs.startTime(pid), ppid, comm, exe, uid, container, mode);
        procs.put(pid, p);
        if (parent != null && parent.stats.escalated()) p.stats.set(mode, true, parent.stats.reason(), System.nanoTime());
        modes.atFork(p, parent);
        if (options.processEvents()) emit.process(ProcessEvent.Kind.START, p, ProcFs.cmdline(pid), null);
        return p;
    }

    /** The exec event of {@code t}: returns the tracee that now owns the leader's tid. */
    Tracee exec(Tracee t, long former) {
        if (former > 0 && former != t.tid) {
            // execve from a non-leader thread: it now has the leader's tid; the old leader is gone.
            Tracee execing = tracees.remove((int) former);
            if (execing != null) {
                forgetThread(t);
                execing.tid = t.tid;
                tracees.put(t.tid, execing);
                t = execing;
            }
        }
        Proc p = t.proc;
        int threads = 0;
        for (Tracee other : tracees.values()) if (other.proc == p) threads++;
        p.threads = threads;
        String previousExe = p.exe;
        p.comm = ProcFs.comm(p.pid);
        p.uid = ProcFs.statusInt(p.pid, "Uid", p.uid);
        p.exe = ProcFs.exe(p.pid).orElse(null);
        List<String> argv = ProcFs.cmdline(p.pid);
        modes.atExec(t, argv);
        if (options.processEvents()) emit.process(ProcessEvent.Kind.EXEC, p, argv, previousExe);
        publish();
        return t;
    }

    // ---------------------------------------------------------------- going

    /** A thread ended (exited or killed). */
    void gone(Tracee t, int status, StopHandler stops) {
        if (t.inSyscall && t.selected && !t.detaching) stops.emitUnfinished(t);
        Proc p = t.proc;
        // the exit line is emitted while the thread still counts, as strace prints it before dropping the thread
        // (its "[pid N] +++ exited with 0 +++" keeps the prefix; the lines after it may not)
        if (t.tid == p.pid && options.processEvents() && !t.detaching) {
            emit.exit(p, exited(status) ? exitStatus(status) : null,
                    signaled(status) ? Signals.name(termSig(status)) : null);
        } else if (t.tid != p.pid && options.threadExits() && !t.detaching) {
            emit.threadExit(p, t.tid, exited(status) ? exitStatus(status) : null,
                    signaled(status) ? Signals.name(termSig(status)) : null);
        }
        forgetThread(t);
        p.threads--;
        if (p.threads <= 0) procGone(p);
        publish();
    }

    /** A thread detached: it runs on, untraced. */
    void released(Tracee t) {
        forgetThread(t);
        Proc p = t.proc;
        p.threads--;
        if (p.threads <= 0) procGone(p);
        publish();
    }

    /** A process attached afresh under a PID whose old process we still had (pid and start time are the key). */
    void forget(Proc old) {
        procs.remove(old.pid);
        for (Tracee t : tracees.values()) if (t.proc == old) forgetThread(t); // values() is a copy
    }

    void unregister(Proc p) {
        procs.remove(p.pid);
    }

    private void procGone(Proc p) {
        procs.remove(p.pid);
        modes.forget(p);
        publish(); // before completing futures, so that callers see the new state
        if (p.detached != null) p.detached.complete(null);
        if (affinity != null) affinity.forget(p.pid);
        if (procs.isEmpty() && attachedOnce) allGone.complete(null);
    }

    /** The kernel says we have no tracees left: forget what we thought we had. */
    void forgetAll() {
        for (Tracee t : tracees.values()) {
            forgetThread(t);
            t.proc.threads--;
            if (t.proc.threads <= 0) procGone(t.proc);
        }
        publish();
    }

    void publish() {
        List<TracedProcess> out = new ArrayList<>(procs.size());
        for (Proc p : procs.values()) out.add(p.view());
        snapshot = List.copyOf(out);
    }
}
