package io.taskscope.task;

import io.taskscope.fs.RootedFs;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a process shows of its container without any engine's help: the container ID in its cgroup
 * path ({@link CgroupShapes}), and the hostname the container sees, read from its {@code /etc/hostname}
 * inside its root ({@link RootedFs}). Not the source of the {@code /etc/hostname} bind mount: a container
 * that joins another's network ({@code --network container:pause}, pods) gets that container's file.
 */
final class ContainerIdentity {
    private ContainerIdentity() {}

    /**
     * The engine's container ID of {@code pid} (64 hex), from its cgroups. Fargate's {@code <task>-<n>} leaf
     * is not used here: no engine there names it and without metadata it means nothing to the user.
     */
    static Optional<String> id(ProcReader reader, int pid) {
        return CgroupShapes.containerId(reader.cgroups(pid)).filter(id -> CgroupShapes.hex64(id).filter(id::equals).isPresent());
    }

    /**
     * The hostname in the container's {@code /etc/hostname} (what an engine writes there), when it is a
     * valid host name; read inside the container's root, at most 256 bytes.
     */
    static Optional<String> hostname(ProcPath proc, int pid) {
        try (RootedFs fs = RootedFs.openDirectory(proc.file(pid, "root"), RootedFs.Mode.AUTO)) {
            String text = new String(fs.read("/etc/hostname", 256).bytes(), StandardCharsets.US_ASCII).strip();
            return validHostname(text) ? Optional.of(text) : Optional.empty();
        } catch (LinkageError | RuntimeException e) { // TaskscopeException included: gone, no file, not ours
            return Optional.empty();
        }
    }

    static boolean validHostname(String s) {
        if (s.isEmpty() || s.length() > 253) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_')) return false;
        }
        return true;
    }
}
