package io.taskscope.trace;

import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcStat;
import io.taskscope.proc.ProcStatus;
import io.taskscope.proc.StatField;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The few /proc reads the tracer needs (thread lists, Tgid, TracerPid, start time, comm), as static calls over
 * the proc package: one parser per file ({@link ProcStat}, {@link ProcStatus}, {@link ProcReader#cmdline}), every
 * path through {@link ProcPath}, names decoded losslessly. One {@link ProcReader} per thread (it owns a buffer). A
 * process vanishing mid-read is normal and yields empty results.
 */
final class ProcFs {
    private ProcFs() {}

    private static final ThreadLocal<ProcReader> READER = ThreadLocal.withInitial(() -> new ProcReader(ProcPath.system()));

    private static ProcReader reader() {
        return READER.get();
    }

    static boolean exists(int pid) {
        return reader().exists(pid);
    }

    /** Thread ids of a process, from /proc/PID/task. */
    static List<Integer> threads(int pid) {
        return reader().threads(pid);
    }

    /** A "Name:\tvalue" field of /proc/PID/status, as text. */
    static Optional<String> statusField(int pid, String field) {
        return reader().text(pid, "status").flatMap(s -> {
            for (String line : s.split("\n")) {
                if (line.startsWith(field + ":")) return Optional.of(line.substring(field.length() + 1).strip());
            }
            return Optional.empty();
        });
    }

    /** Tgid, PPid, TracerPid, Uid and Gid (the real ids) from {@link ProcStatus}; other fields parsed as text. */
    static int statusInt(int pid, String field, int dflt) {
        switch (field) {
            case "Tgid", "PPid", "TracerPid", "Uid", "Gid" -> {
                Optional<ProcStatus> st = reader().status(pid);
                if (st.isEmpty()) return dflt;
                ProcStatus s = st.get();
                int v = switch (field) {
                    case "Tgid" -> s.tgid();
                    case "PPid" -> s.ppid();
                    case "TracerPid" -> s.tracerPid();
                    case "Uid" -> s.uid().real();
                    default -> s.gid().real();
                };
                return v < 0 ? dflt : v;
            }
            default -> {
                return statusField(pid, field).map(v -> {
                    try {
                        return Integer.parseInt(v.split("\\s+")[0]);
                    } catch (NumberFormatException e) {
                        return dflt;
                    }
                }).orElse(dflt);
            }
        }
    }

    /**
     * Fields of /proc/PID/stat after the comm, index 0 being field 3 (state), as {@link ProcStat} parses them
     * (the comm is cut at its last ')', so a comm holding ") R 1" cannot shift the fields).
     */
    static Optional<String[]> statFields(int pid) {
        return reader().stat(pid).map(ProcFs::fields);
    }

    private static String[] fields(ProcStat s) {
        StatField[] all = StatField.values();
        String[] out = new String[all.length + 1];
        out[0] = String.valueOf(s.state());
        for (StatField f : all) {
            int i = f.number() - 3;
            if (i > 0 && i < out.length) out[i] = Long.toString(s.get(f));
        }
        for (int i = 0; i < out.length; i++) if (out[i] == null) out[i] = "0";
        return out;
    }

    /** Field 22, the start time in clock ticks since boot: with the pid, it names a process uniquely. */
    static long startTime(int pid) {
        return reader().stat(pid).map(s -> s.get(StatField.STARTTIME)).orElse(-1L);
    }

    /** Field 4, the parent pid. */
    static int ppid(int pid) {
        return reader().stat(pid).map(ProcStat::ppid).orElse(0);
    }

    /** Field 39, the CPU the thread last ran on. */
    static int processor(int pid, int tid) {
        return reader().threadStat(pid, tid).map(s -> (int) s.get(StatField.PROCESSOR)).orElse(-1);
    }

    static String comm(int pid) {
        return reader().comm(pid).orElse("?");
    }

    /**
     * The executable's path as the process's container sees it. The kernel prints /proc/PID/exe from the
     * reader's root: for a process chrooted below ours (same mount namespace, another root) that is our
     * path to it, /srv/app/rootfs/tmp/x, which rules would read as /srv/...; its root is stripped then.
     */
    static Optional<String> exe(int pid) {
        return rooted(pid, reader().exe(pid)); // a detached runc binary: ProcReader.exe
    }

    /** The working directory as the process's container sees it (the same stripping as {@link #exe}). */
    static Optional<String> cwd(int pid) {
        return rooted(pid, reader().link(pid, "cwd"));
    }

    private static Optional<String> rooted(int pid, Optional<String> link) {
        return link.map(target -> {
            String root = reader().link(pid, "root").orElse("/");
            return !root.equals("/") && target.startsWith(root + "/") ? target.substring(root.length()) : target;
        });
    }

    static List<String> cmdline(int pid) {
        return reader().cmdline(pid).map(args -> {
            List<String> out = new ArrayList<>(args);
            while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
            return out;
        }).orElse(List.of());
    }

    static Optional<String> fdPath(int pid, int fd) {
        return reader().link(pid, "fd/" + fd);
    }

    /** A link under /proc/PID: {@code link(pid, "cwd")}. */
    static Optional<String> link(int pid, String name) {
        return reader().link(pid, name);
    }
}
