package io.taskscope.proc;

import io.taskscope.task.Task;
import java.util.Arrays;
import java.util.Optional;

/**
 * In-process snapshot timing for {@code bench/ps.sh}: {@code java -cp taskscope.jar
 * io.taskscope.proc.SnapshotBench [ROUNDS]}. Prints the medians of {@link ProcessTable#snapshot()}
 * (the procfs reads) and of {@link Task#snapshot} (plus grouping into containers and user names
 * for every row, i.e. what {@code taskscope ps} computes), after a warm-up.
 */
public final class SnapshotBench {
    private SnapshotBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        ProcPath proc = ProcPath.system();
        for (int i = 0; i < 5; i++) ProcessTable.snapshot(proc);
        long[] table = new long[rounds];
        long[] task = new long[rounds];
        int processes = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            processes = ProcessTable.snapshot(proc).processes().size();
            long t1 = System.nanoTime();
            Task t = Task.snapshot(proc, Optional.empty());
            for (ProcessInfo p : t.processes()) t.users().user(p, p.euid());
            long t2 = System.nanoTime();
            table[i] = t1 - t0;
            task[i] = t2 - t1;
        }
        System.out.printf("processes %d%n", processes);
        System.out.printf("ProcessTable.snapshot median_ms %.1f min_ms %.1f%n", median(table), min(table));
        System.out.printf("Task.snapshot+users median_ms %.1f min_ms %.1f%n", median(task), min(task));
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0) / 1e6;
    }

    private static double min(long[] v) {
        return Arrays.stream(v).min().orElse(0) / 1e6;
    }
}
