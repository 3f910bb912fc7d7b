package io.taskscope.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where procfs is mounted. {@code /proc} unless the system property {@code taskscope.proc} says
 * otherwise; tests point it at fixture trees so every parser runs against known content.
 */
public record ProcPath(Path root) {
    public static final String PROPERTY = "taskscope.proc";

    public static ProcPath system() {
        return new ProcPath(Path.of(System.getProperty(PROPERTY, "/proc")));
    }

    public static ProcPath of(Path root) {
        return new ProcPath(root);
    }

    /** {@code <root>/<pid>}. */
    public Path pid(int pid) {
        return root.resolve(Integer.toString(pid));
    }

    /** {@code <root>/<pid>/<name>}, e.g. {@code file(42, "ns/mnt")}. */
    public Path file(int pid, String name) {
        return root.resolve(pid + "/" + name);
    }

    /** {@code <root>/<name>}, e.g. {@code "sys/kernel/cap_last_cap"}. */
    public Path global(String name) {
        return root.resolve(name);
    }

    /**
     * Our own PID as this procfs sees it ({@code self} is a link to it). That is the PID the
     * listing uses, which differs from getpid() when this procfs belongs to another PID namespace.
     */
    public int selfPid() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(root.resolve("self")).toString());
        } catch (IOException | NumberFormatException e) {
            return (int) ProcessHandle.current().pid();
        }
    }
}
