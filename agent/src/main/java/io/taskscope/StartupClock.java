package io.taskscope;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a command's start-up time goes, for {@code -Dtaskscope.startup=true} (bench/attach-latency.py, docs/trace.md):
 * named moments, each with the time since the JVM started, the CPU time of the whole process so far (compiler and GC
 * threads included) and that of the thread that marks it, printed to
 * stderr by {@link #print}. Off (one static boolean test per mark) unless the property is set.
 */
public final class StartupClock {
    private StartupClock() {}

    public static final boolean ON = Boolean.getBoolean("taskscope.startup");

    private static final List<String> names = new ArrayList<>();
    private static final List<long[]> times = new ArrayList<>();

    /** Records a moment (any thread). */
    public static void mark(String name) {
        if (!ON) return;
        long wall = System.nanoTime();
        long cpu = processCpuNanos();
        long own = threadCpuNanos();
        synchronized (names) {
            names.add(name + " [" + Thread.currentThread().getName() + "]");
            times.add(new long[] {wall, cpu, own});
        }
    }

    /** Prints the moments so far, once: ms since the JVM started (its own uptime) and ms of CPU used by then. */
    public static void print(PrintStream err) {
        if (!ON) return;
        long now = System.nanoTime();
        long start = now - java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
        synchronized (names) {
            for (int i = 0; i < names.size(); i++) {
                long[] t = times.get(i);
                err.println("startup: " + (t[0] - start) / 1_000_000 + " ms wall, " + t[1] / 1_000_000 + " ms cpu, "
                        + t[2] / 1_000_000 + " ms thread cpu  " + names.get(i));
            }
            names.clear();
            times.clear();
        }
    }

    private static long threadCpuNanos() {
        try {
            String s = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/thread-self/schedstat")),
                    java.nio.charset.StandardCharsets.US_ASCII);
            return Long.parseLong(s.substring(0, s.indexOf(' ')));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long processCpuNanos() {
        // every thread's schedstat (ns of CPU): a diagnostic, so a directory listing per mark is acceptable
        long sum = 0;
        try (var tasks = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/task"))) {
            for (var t : tasks) {
                try {
                    String s = new String(java.nio.file.Files.readAllBytes(t.resolve("schedstat")),
                            java.nio.charset.StandardCharsets.US_ASCII);
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return sum;
    }
}
