package io.taskscope.task;

import io.taskscope.TaskscopeException;
import io.taskscope.fs.RootedFs;
import io.taskscope.proc.ProcPath;
import java.util.Optional;

/**
 * Reads a small file from a neighbour's root ({@code /proc/<pid>/root}) through
 * {@link RootedFs}: the path is resolved inside that root (openat2 RESOLVE_IN_ROOT), so a link at
 * {@code etc} or at the file can never reach the monitor's own files; only regular files are read
 * (a FIFO is never opened), and at most 1 MiB.
 */
final class RootFiles {
    static final int MAX_BYTES = 1 << 20;

    private RootFiles() {}

    /** The file {@code etc/<name>} under the root of {@code pid}, or empty when absent, unsafe or too big. */
    static Optional<byte[]> readEtc(ProcPath proc, int pid, String name) {
        try (RootedFs fs = RootedFs.openDirectory(proc.file(pid, "root"))) {
            return Optional.of(fs.readAllBytes("/etc/" + name, MAX_BYTES));
        } catch (TaskscopeException e) {
            return Optional.empty();
        }
    }
}
