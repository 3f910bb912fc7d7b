package io.taskscope.rules;

/**
 * What rules know about the world beyond the event: the host name, the containers' metadata, user and
 * group names from each container's own /etc. The agent gives the real one; tests give what they need.
 */
public interface RuleEnv {
    RuleEnv NONE = new RuleEnv() {};

    default String hostname() {
        return "localhost";
    }

    /** Metadata of the container with this name, or null when unknown. */
    default ContainerMeta container(String name) {
        return null;
    }

    /** The user's name in the process's own /etc/passwd, or null when unknown. */
    default String userName(int pid, int uid) {
        return null;
    }

    default String groupName(int pid, int gid) {
        return null;
    }

    /**
     * @param image      "repository:tag" as the engine or ECS metadata says, or null
     * @param privileged null when unknown (Fargate never says)
     * @param startTs    start time, epoch nanoseconds, or null when unknown
     */
    record ContainerMeta(String id, String name, String image, Boolean privileged, Long startTs) {
        /** The image without its tag or digest. */
        public String repository() {
            if (image == null) return null;
            int at = image.indexOf('@');
            String s = at >= 0 ? image.substring(0, at) : image;
            int colon = s.lastIndexOf(':');
            return colon > s.lastIndexOf('/') ? s.substring(0, colon) : s;
        }

        /** The tag, "latest" when the image names none, null for a digest-only image. */
        public String tag() {
            if (image == null) return null;
            int at = image.indexOf('@');
            String s = at >= 0 ? image.substring(0, at) : image;
            int colon = s.lastIndexOf(':');
            if (colon > s.lastIndexOf('/')) return s.substring(colon + 1);
            return at >= 0 ? null : "latest";
        }
    }
}
