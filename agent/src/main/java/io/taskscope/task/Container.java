package io.taskscope.task;

import io.taskscope.proc.FileId;
import java.util.List;
import java.util.Optional;

/**
 * A group of processes that share a filesystem view: one container of the task.
 *
 * @param name           the ECS container name, or (fallback) the comm of the group's oldest process
 * @param id             the Docker/containerd ID from ECS metadata, or {@code mnt:<inode>} for a fallback group
 * @param image          the image, when ECS metadata says
 * @param source         where the grouping and the name came from
 * @param self           the monitor's own container: same mount namespace as this JVM
 * @param infrastructure set apart from the application: the pause container, ECS Exec/SSM agents, and the
 *                       monitor's own container (self)
 * @param mntNs          the mount namespace inode shared by the group (0 when unknown)
 * @param root           the root directory shared by the group, when readable
 * @param pids           members, by ascending PID
 * @param mainPid        the oldest non-infrastructure process (or the oldest process): what a
 *                       container name resolves to as a target
 */
public record Container(String name, String id, Optional<String> image, Source source, boolean self,
                        boolean infrastructure, long mntNs, Optional<FileId> root, List<Integer> pids, int mainPid) {

    /** How a container was recognised. */
    public enum Source {
        /** Matched to a container of ECS Task Metadata v4 through its cgroup. */
        ECS_METADATA,
        /** No metadata: grouped by mount namespace and root directory. */
        NAMESPACE;

        public String label() {
            return this == ECS_METADATA ? "ecs-metadata" : "namespace";
        }
    }
}
