package io.taskscope.task;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A container as a Docker-compatible engine API describes it ({@link EngineClient}).
 *
 * @param id     the full ID (64 hex)
 * @param name   what taskscope calls it: the compose service ({@code com.docker.compose.service}), the
 *               Kubernetes container name ({@code io.kubernetes.container.name}), else the engine's name
 *               without its leading {@code /}; always a Docker-style name ({@code [A-Za-z0-9][A-Za-z0-9_.-]*})
 * @param engineName the engine's own name ({@code docker ps}'s NAMES), checked the same way; empty when odd
 * @param image  the image as the engine lists it, control characters replaced by {@code ?}
 * @param labels the container's labels, as given (user data: never printed unescaped)
 */
public record EngineContainer(String id, String name, String engineName, String image, Map<String, String> labels) {
    /** Docker's rule for container names; a label value that breaks it is not used as a name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    static final String COMPOSE_SERVICE = "com.docker.compose.service";
    static final String K8S_CONTAINER = "io.kubernetes.container.name";

    static EngineContainer of(String id, String engineName, String image, Map<String, String> labels) {
        String own = engineName.startsWith("/") ? engineName.substring(1) : engineName;
        own = NAME.matcher(own).matches() ? own : "";
        String name = own;
        for (String label : new String[] {K8S_CONTAINER, COMPOSE_SERVICE}) {
            String v = labels.getOrDefault(label, "");
            if (NAME.matcher(v).matches()) name = v;
        }
        if (name.isEmpty()) name = CgroupShapes.shortId(id);
        return new EngineContainer(id, name, own, printable(image), Map.copyOf(labels));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) || c == 0x7f ? '?' : c));
        return b.toString();
    }

    /** Whether this container is the one a cgroup path names: equal IDs, or one a prefix of the other. */
    boolean matches(String cgroupId) {
        return cgroupId.length() >= 12 && (id.startsWith(cgroupId) || cgroupId.startsWith(id) && id.length() >= 12);
    }
}
