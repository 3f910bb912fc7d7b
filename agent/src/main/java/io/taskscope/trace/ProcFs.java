package io.taskscope.trace;

import java.io.IOException;
import io.taskscope.linux.Fs;
import io.taskscope.text.Bytes;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The few /proc reads the tracer needs (thread lists, Tgid, TracerPid, start time, comm). Kept
 * here rather than in the proc package because the tracer must not depend on a full process
 * snapshot per stop; a process vanishing mid-read is normal and yields empty results.
 */
final class ProcFs {
    private ProcFs() {}

    static Optional<String> read(String path) {
        try {
            return Optional.of(Bytes.decode(Files.readAllBytes(Path.of(path)))); // lossless: argv may be any bytes
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static boolean exists(int pid) {
        return Files.exists(Path.of("/proc/" + pid + "/stat"));
    }

    /** Thread ids of a process, from /proc/PID/task. */
    static List<Integer> threads(int pid) {
        List<Integer> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path p : s) {
                try {
                    out.add(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a tid
                }
            }
        } catch (IOException | RuntimeException e) {
            // vanished
        }
        return out;
    }

    /** A "Name:\tvalue" field of /proc/PID/status. */
    static Optional<String> statusField(int pid, String field) {
        return read("/proc/" + pid + "/status").flatMap(s -> {
            for (String line : s.split("\n")) {
                if (line.startsWith(field + ":")) return Optional.of(line.substring(field.length() + 1).strip());
            }
            return Optional.empty();
        });
    }

    static int statusInt(int pid, String field, int dflt) {
        return statusField(pid, field).map(v -> {
            try {
                return Integer.parseInt(v.split("\\s+")[0]);
            } catch (NumberFormatException e) {
                return dflt;
            }
        }).orElse(dflt);
    }

    /** Fields of /proc/PID/stat after the comm, index 0 being field 3 (state). */
    static Optional<String[]> statFields(int pid) {
        return read("/proc/" + pid + "/stat").map(s -> s.substring(s.lastIndexOf(')') + 2).strip().split(" "));
    }

    /** Field 22, the start time in clock ticks since boot: with the pid, it names a process uniquely. */
    static long startTime(int pid) {
        return statFields(pid).map(f -> Long.parseLong(f[22 - 3])).orElse(-1L);
    }

    /** Field 4, the parent pid. */
    static int ppid(int pid) {
        return statFields(pid).map(f -> Integer.parseInt(f[4 - 3])).orElse(0);
    }

    /** Field 39, the CPU the thread last ran on. */
    static int processor(int pid, int tid) {
        return read("/proc/" + pid + "/task/" + tid + "/stat")
                .map(s -> s.substring(s.lastIndexOf(')') + 2).strip().split(" "))
                .map(f -> Integer.parseInt(f[39 - 3])).orElse(-1);
    }

    static String comm(int pid) {
        return read("/proc/" + pid + "/comm").map(String::strip).orElse("?");
    }

    /**
     * The executable's path as the process's container sees it. The kernel prints /proc/PID/exe from the
     * reader's root: for a process chrooted below ours (same mount namespace, another root) that is our
     * path to it, /srv/app/rootfs/tmp/x, which rules would read as /srv/...; its root is stripped then.
     */
    static Optional<String> exe(int pid) {
        return rootedLink(pid, "exe");
    }

    /** The working directory as the process's container sees it (the same stripping as {@link #exe}). */
    static Optional<String> cwd(int pid) {
        return rootedLink(pid, "cwd");
    }

    private static Optional<String> rootedLink(int pid, String name) {
        try {
            String exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/" + name)).toString();
            String root = "/";
            try {
                root = Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).toString();
            } catch (IOException | RuntimeException e) {
                // keep the path as the kernel printed it
            }
            if (!root.equals("/") && exe.startsWith(root + "/")) exe = exe.substring(root.length());
            return Optional.of(exe);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static List<String> cmdline(int pid) {
        return read("/proc/" + pid + "/cmdline").map(s -> {
            List<String> out = new ArrayList<>();
            for (String a : s.split("\0")) out.add(a);
            while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
            return out;
        }).orElse(List.of());
    }

    static Optional<String> fdPath(int pid, int fd) {
        return link("/proc/" + pid + "/fd/" + fd);
    }

    static Optional<String> link(String path) {
        try {
            return Optional.of(Bytes.decode(Fs.readlinkat(Fs.AT_FDCWD, Fs.bytes(path))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
