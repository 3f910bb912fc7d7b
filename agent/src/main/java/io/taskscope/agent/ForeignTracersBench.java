package io.taskscope.agent;

import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.proc.ProcessTable;
import io.taskscope.task.Task;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Optional;

/**
 * Benchmark (not a test; bench/tracer-pid-scan.sh runs it in a PID namespace of N processes): what checking the
 * TracerPid of every process costs a scan ({@link ForeignTracers}): after a snapshot, with no snapshot (the bounded
 * sweep), and reading every status unbounded. CPU time of this thread, medians.
 */
public final class ForeignTracersBench {
    private ForeignTracersBench() {}

    public static void main(String[] args) {
        ProcPath proc = ProcPath.system();
        Task t = Task.of(proc, ProcessTable.snapshot(proc), Optional.empty(), new ArrayList<>());
        int n = t.processes().size();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ForeignTracers f = new ForeignTracers(proc, e -> { });
        for (int i = 0; i < 50; i++) {
            f.sweep(t);
            f.snapshot(t);
        }
        int rounds = 31;
        long[] snap = new long[rounds], sweep = new long[rounds], all = new long[rounds];
        int[] reads = new int[rounds];
        ProcReader r = new ProcReader(proc);
        for (int i = 0; i < rounds; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            f.snapshot(t);
            long c1 = mx.getCurrentThreadCpuTime();
            f.sweep(t);
            long c2 = mx.getCurrentThreadCpuTime();
            for (ProcessInfo p : t.processes()) r.status(p.pid());
            long c3 = mx.getCurrentThreadCpuTime();
            snap[i] = c1 - c0;
            sweep[i] = c2 - c1;
            all[i] = c3 - c2;
            reads[i] = f.lastSweepReads();
        }
        Arrays.sort(snap);
        Arrays.sort(sweep);
        Arrays.sort(all);
        Arrays.sort(reads);
        int m = rounds / 2;
        int perScan = Math.max(1, reads[m]);
        int self = proc.selfPid();
        long candidates = t.processes().stream().filter(p -> p.pid() != self && !p.kernelThread() && !p.zombie()).count();
        System.out.println(n + " processes (CPU time, medians): after a snapshot " + ms(snap[m])
                + "; a scan without one " + ms(sweep[m]) + " for " + reads[m] + " statuses; every status "
                + ms(all[m]) + " (" + (all[m] / 1000 / Math.max(1, n)) + " us each); every process checked within "
                + ((candidates + perScan - 1) / perScan) + " scans");
    }

    private static String ms(long nanos) {
        return (nanos / 10_000) / 100.0 + " ms";
    }
}
