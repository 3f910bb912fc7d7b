package io.taskscope.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The lab's processes as this host sees them (/proc): their tracer, their state, the task they belong to. */
final class Procs {
    private Procs() {}

    /** A field of /proc/PID/status ("TracerPid", "State"), empty when the process is gone. */
    static Optional<String> status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) return Optional.of(line.substring(field.length() + 1).strip());
            }
        } catch (IOException e) {
            // gone
        }
        return Optional.empty();
    }

    static boolean exists(long pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    static long tracerPid(long pid) {
        return status(pid, "TracerPid").map(Long::parseLong).orElse(0L);
    }

    /** Whether it is stopped: state t (tracing stop) or T (stopped). */
    static boolean stopped(long pid) {
        return status(pid, "State").map(s -> s.startsWith("t") || s.startsWith("T")).orElse(false);
    }

    static String describe(long pid) {
        String comm;
        try {
            comm = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            comm = "?";
        }
        return pid + " (" + comm + ", " + status(pid, "State").orElse("gone") + ", TracerPid "
                + status(pid, "TracerPid").orElse("-") + ")";
    }

    /** Host PIDs of every process in the PID namespace of host process {@code member} (the task's). */
    static List<Long> inPidNamespaceOf(long member) throws IOException {
        Path ns = Path.of("/proc/" + member + "/ns/pid");
        String target = Files.readSymbolicLink(ns).toString();
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                try {
                    if (Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(target)) out.add(Long.parseLong(n));
                } catch (IOException e) {
                    // gone, or a kernel thread
                }
            }
        }
        return out;
    }
}
