package io.taskscope.task;

import io.taskscope.proc.FileId;
import java.util.List;
import java.util.Optional;

/**
 * A group of processes that share a filesystem view: one container of the task.
 *
 * @param name           the ECS container name; else the engine's name for it (the compose service, the
 *                       Kubernetes container name, {@code docker ps}'s NAMES); else its short ID (12 hex, as
 *                       {@code docker ps} prints it); only with no ID at all, the comm of the group's oldest process
 * @param id             the container ID (ECS's DockerId, the engine's, the one in the cgroup path), or
 *                       {@code mnt:<inode>:<root dev:ino>} for a group without one
 * @param image          the image, when ECS metadata or the engine says
 * @param source         where the grouping and the name came from
 * @param self           the monitor's own container: same mount namespace as this JVM
 * @param infrastructure set apart from the application: the pause container, ECS Exec/SSM agents, and the
 *                       monitor's own container (self)
 * @param mntNs          the mount namespace inode shared by the group (0 when unknown)
 * @param root           the root directory shared by the group, when readable
 * @param pids           members, by ascending PID
 * @param mainPid        the oldest non-infrastructure process (or the oldest process): what a
 *                       container name resolves to as a target
 * @param hostname       the hostname in the container's own {@code /etc/hostname}, for containers with an ID
 */
public record Container(String name, String id, Optional<String> image, Source source, boolean self,
                        boolean infrastructure, long mntNs, Optional<FileId> root, List<Integer> pids, int mainPid,
                        Optional<String> hostname) {

    /** How a container was recognised. */
    public enum Source {
        /** Matched to a container of ECS Task Metadata v4 through its cgroup. */
        ECS_METADATA,
        /** Named by the container engine's API ({@link EngineClient}), matched through its ID. */
        ENGINE,
        /** An ID in the cgroup path (or the hostname mount) but no engine to name it: named by its short ID. */
        CGROUP,
        /** No ID at all: grouped by mount namespace and root directory, named after the oldest process. */
        NAMESPACE;

        public String label() {
            return switch (this) {
                case ECS_METADATA -> "ecs-metadata";
                case ENGINE -> "engine";
                case CGROUP -> "cgroup";
                case NAMESPACE -> "namespace";
            };
        }
    }
}
