package io.taskscope.task;

import java.util.List;
import java.util.Optional;

/**
 * The parts of ECS Task Metadata v4 ({@code $ECS_CONTAINER_METADATA_URI_V4/task}) taskscope uses.
 *
 * @param cluster    {@code Cluster}
 * @param taskArn    {@code TaskARN}
 * @param family     {@code Family}
 * @param revision   {@code Revision}
 * @param launchType {@code LaunchType} (FARGATE, EC2), empty when absent
 * @param containers {@code Containers}
 * @param selfDockerId our own container's {@code DockerId}, from the container endpoint; set only when our
 *                     cgroup path does not show it (a private cgroup namespace)
 * @param availabilityZone {@code AvailabilityZone}, empty when absent
 */
public record EcsTaskMetadata(String cluster, String taskArn, String family, String revision,
                              Optional<String> launchType, List<EcsContainer> containers, Optional<String> selfDockerId,
                              String availabilityZone) {

    public EcsTaskMetadata(String cluster, String taskArn, String family, String revision,
                           Optional<String> launchType, List<EcsContainer> containers) {
        this(cluster, taskArn, family, revision, launchType, containers, Optional.empty(), "");
    }

    public EcsTaskMetadata(String cluster, String taskArn, String family, String revision,
                           Optional<String> launchType, List<EcsContainer> containers, Optional<String> selfDockerId) {
        this(cluster, taskArn, family, revision, launchType, containers, selfDockerId, "");
    }

    public EcsTaskMetadata withSelf(String dockerId) {
        return new EcsTaskMetadata(cluster, taskArn, family, revision, launchType, containers, Optional.of(dockerId),
                availabilityZone);
    }

    public EcsTaskMetadata withAvailabilityZone(String az) {
        return new EcsTaskMetadata(cluster, taskArn, family, revision, launchType, containers, selfDockerId, az);
    }

    /** The container of this task with that DockerId. */
    public Optional<EcsContainer> container(String dockerId) {
        return containers.stream().filter(c -> c.dockerId().equals(dockerId)).findFirst();
    }

    /**
     * One entry of {@code Containers}.
     *
     * @param name     {@code Name}: the container name of the task definition
     * @param dockerId {@code DockerId}: a 64-hex ID, or on Fargate {@code <taskid>-<number>}
     * @param image    {@code Image}
     * @param type     {@code Type}: NORMAL, or CNI_PAUSE for the pause container ECS adds on EC2
     */
    public record EcsContainer(String name, String dockerId, String image, String type) {
        /** ECS's own pause container (EC2 awsvpc tasks list it; Fargate does not). */
        public boolean pause() {
            return "CNI_PAUSE".equals(type) || name.startsWith("~internal~ecs~");
        }
    }
}
