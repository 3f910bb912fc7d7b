package io.taskscope.agent;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcStatus;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.task.Container;
import io.taskscope.task.Task;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A neighbour becoming a tracer: the {@code TracerPid} of the task's processes, seen in /proc. A process traced by
 * anyone but this JVM (strace, gdb, a process_vm/ptrace-based injector) is one {@code process} event of kind
 * {@code traced}, once per (tracee, start time, tracer).
 *
 * <p>Cost: TracerPid is only in {@code /proc/PID/status}, which the kernel generates whole (~25 µs of CPU a process
 * on this kind of VM: 1.4 ms for 50 processes, 50 ms for 2,000; bench/tracer-pid-scan.sh). A scan that takes a
 * snapshot has read every status anyway and is checked for free (under 1 ms for 2,000); otherwise a scan reads
 * statuses from where the last one stopped for at most {@link #BUDGET_NANOS} of CPU time: 50 processes are all
 * checked at every scan, 2,000 within ~20 scans (~10 s at the default 500 ms).
 * A tracer outside our PID namespace shows as TracerPid 0 and is not seen.
 */
final class ForeignTracers {
    /** What one scan may spend reading statuses when it took no snapshot: CPU time, so that preemption on a busy
     * machine does not shrink it. */
    static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(3);
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private final ProcPath proc;
    private final ProcReader reader;
    private final int self;
    private final Consumer<? super Event> sink;
    private final Set<Key> reported = new HashSet<>();
    private int cursor;
    private long lastSweepNanos;
    private int lastSweepReads;

    private record Key(int pid, long start, int tracer) {}

    ForeignTracers(ProcPath proc, Consumer<? super Event> sink) {
        this.proc = proc;
        this.reader = new ProcReader(proc);
        this.self = proc.selfPid();
        this.sink = sink;
    }

    /** After a snapshot: every status was just read. */
    void snapshot(Task task) {
        long t0 = System.nanoTime();
        for (ProcessInfo p : task.processes()) {
            if (!candidate(p)) continue;
            int tracer = p.status().tracerPid();
            if (tracer != 0) check(task, p, p.status(), tracer);
        }
        reported.removeIf(k -> task.process(k.pid()).map(p -> p.startTicks() != k.start()).orElse(true));
        cursor = 0;
        lastSweepNanos = System.nanoTime() - t0;
        lastSweepReads = 0;
    }

    /** A scan without a snapshot: reads statuses from where the last one stopped, for at most the budget. */
    void sweep(Task task) {
        List<ProcessInfo> ps = task.processes();
        long t0 = System.nanoTime();
        long cpu0 = cpuNow();
        int reads = 0;
        for (int n = 0; n < ps.size(); n++) {
            if (cursor >= ps.size()) cursor = 0;
            ProcessInfo p = ps.get(cursor++);
            if (!candidate(p)) continue;
            Optional<ProcStatus> st = reader.status(p.pid());
            reads++;
            if (st.isPresent() && st.get().tracerPid() != 0) check(task, p, st.get(), st.get().tracerPid());
            if (cpuNow() - cpu0 > BUDGET_NANOS) break;
        }
        lastSweepNanos = System.nanoTime() - t0;
        lastSweepReads = reads;
    }

    private static long cpuNow() {
        long t = CPU.isCurrentThreadCpuTimeSupported() ? CPU.getCurrentThreadCpuTime() : -1;
        return t >= 0 ? t : System.nanoTime();
    }

    /** Nanoseconds and status reads of the last check (for the measurements in docs/modes.md). */
    long lastSweepNanos() {
        return lastSweepNanos;
    }

    int lastSweepReads() {
        return lastSweepReads;
    }

    private boolean candidate(ProcessInfo p) {
        return p.pid() != self && !p.kernelThread() && !p.zombie();
    }

    private void check(Task task, ProcessInfo p, ProcStatus st, int tracerTid) {
        if (ours(tracerTid)) return; // this agent's tracer thread
        int tracer = tgid(tracerTid);
        if (!reported.add(new Key(p.pid(), p.startTicks(), tracer))) return;
        Instant now = Instant.now();
        String container = task.containerOf(p.pid()).map(Container::name).orElse(null);
        sink.accept(new ProcessEvent(TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano(),
                ProcessEvent.Kind.TRACED, p.pid(), st.ppid(), container, st.name(), null,
                p.cmdline().isEmpty() ? null : p.cmdline(), st.uid().real(), null, null, st.gid().real(), null, null,
                null, null, tracer));
    }

    /** TracerPid is the tracing thread's id: one of this JVM's threads is this agent. */
    private boolean ours(int tid) {
        return Files.exists(proc.root().resolve(self + "/task/" + tid));
    }

    /** The process of a thread id (the tracer's Tgid), or the id itself when it is gone. */
    private int tgid(int tid) {
        return reader.status(tid).map(ProcStatus::tgid).filter(t -> t > 0).orElse(tid);
    }
}
