package io.taskscope.proc;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of every process a procfs shows, sorted by PID.
 *
 * <p>Processes that vanish between listing {@code /proc} and reading their files are left out;
 * nothing a process does (exiting, hiding files, odd names) makes a snapshot throw.
 *
 * @param processes  the processes, by ascending PID
 * @param selfPid    the monitor's own PID, as this procfs numbers it
 * @param system     boot time, uptime, memory: what ps's columns need
 */
public record ProcessTable(List<ProcessInfo> processes, int selfPid, SystemInfo system) {

    public static ProcessTable snapshot() {
        return snapshot(ProcPath.system());
    }

    public static ProcessTable snapshot(ProcPath proc) {
        int[] pids = listPids(proc);
        ProcessInfo[] found = new ProcessInfo[pids.length];
        // Reading procfs is kernel time (~50 µs a process here); a second reader on the other
        // core halves the wall time of big snapshots. Small ones are not worth a thread.
        int threads = pids.length < PARALLEL_THRESHOLD ? 1
                : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        if (threads == 1) {
            readRange(new ProcReader(proc), pids, found, 0, 1);
        } else {
            Thread[] workers = new Thread[threads - 1];
            for (int t = 1; t < threads; t++) {
                int first = t;
                int step = threads;
                workers[t - 1] = new Thread(() -> readRange(new ProcReader(proc), pids, found, first, step),
                        "taskscope-snapshot-" + t);
                workers[t - 1].setDaemon(true);
                workers[t - 1].start();
            }
            readRange(new ProcReader(proc), pids, found, 0, threads);
            for (Thread w : workers) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<ProcessInfo> out = new ArrayList<>(pids.length);
        for (ProcessInfo p : found) if (p != null) out.add(p);
        return new ProcessTable(Collections.unmodifiableList(out), proc.selfPid(), SystemInfo.read(new ProcReader(proc)));
    }

    static final int PARALLEL_THRESHOLD = 256;

    private static void readRange(ProcReader r, int[] pids, ProcessInfo[] found, int first, int step) {
        // Interleaved, not halves: neighbouring PIDs cost alike, so both readers finish together.
        for (int i = first; i < pids.length; i += step) found[i] = read(r, pids[i]).orElse(null);
    }

    /** The numeric entries of the proc root, ascending. */
    public static int[] listPids(ProcPath proc) {
        String[] names = new File(proc.root().toString()).list();
        if (names == null) {
            // Not an empty task: an empty listing would print a header and exit 0, as if all were well.
            throw io.taskscope.TaskscopeException.runtime("cannot list " + proc.root() + ": no procfs there",
                    "mount procfs at /proc (mount -t proc proc /proc), or fix -D" + ProcPath.PROPERTY);
        }
        int[] pids = new int[names.length];
        int n = 0;
        for (String name : names) {
            int pid = pidOf(name);
            if (pid > 0) pids[n++] = pid;
        }
        int[] result = Arrays.copyOf(pids, n);
        Arrays.sort(result);
        return result;
    }

    /** Reads one process; empty when it is gone (or its stat is unreadable). */
    public static Optional<ProcessInfo> read(ProcReader r, int pid) {
        Optional<ProcStat> stat = r.stat(pid);
        if (stat.isEmpty()) return Optional.empty();
        Optional<ProcStatus> status = r.status(pid);
        if (status.isEmpty()) return Optional.empty();
        if (stat.get().kernelThread()) {
            return Optional.of(new ProcessInfo(pid, stat.get(), status.get(), List.of(), 0, Optional.empty()));
        }
        Optional<List<String>> cmdline = r.cmdline(pid);
        if (cmdline.isEmpty()) return Optional.empty();
        long mnt = r.namespace(pid, NsType.MNT).orElse(0);
        Optional<FileId> root = mnt == 0 ? Optional.empty() : r.rootId(pid);
        return Optional.of(new ProcessInfo(pid, stat.get(), status.get(), cmdline.get(), mnt, root));
    }

    private static int pidOf(String name) {
        int v = 0;
        int len = name.length();
        if (len == 0 || len > 9) return -1;
        for (int i = 0; i < len; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    public Optional<ProcessInfo> get(int pid) {
        int lo = 0, hi = processes.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int p = processes.get(mid).pid();
            if (p < pid) lo = mid + 1;
            else if (p > pid) hi = mid - 1;
            else return Optional.of(processes.get(mid));
        }
        return Optional.empty();
    }

    public Optional<ProcessInfo> self() {
        return get(selfPid);
    }

    /** Children by parent PID, in PID order. */
    public Map<Integer, List<ProcessInfo>> children() {
        Map<Integer, List<ProcessInfo>> out = new HashMap<>();
        for (ProcessInfo p : processes) out.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        return out;
    }
}
