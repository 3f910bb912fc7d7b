package io.taskscope.task;

import io.taskscope.proc.CgroupEntry;
import java.util.List;
import java.util.Optional;

/**
 * Where container runtimes put a container's processes in the cgroup tree, and how to find the
 * container's ID in that path. Shapes seen in the field (v1 lines and the v2 {@code 0::} line alike):
 * <ul>
 *   <li>Fargate: {@code /ecs/<taskid>/<taskid>-<n>} (platform 1.4) or {@code /ecs/<taskid>/<64hex>}</li>
 *   <li>Docker, cgroupfs driver: {@code /docker/<64hex>}; systemd driver: {@code /system.slice/docker-<64hex>.scope}</li>
 *   <li>containerd/CRI: {@code /kubepods/.../cri-containerd-<64hex>.scope}, CRI-O {@code crio-<64hex>.scope}</li>
 *   <li>podman: {@code /machine.slice/machine-libpod_pod_<pod>.slice/libpod-<64hex>.scope} (systemd driver, in a
 *       pod), {@code /libpod_parent/<pod>/libpod-<64hex>} (cgroupfs driver), conmon beside it</li>
 *   <li>runc alone: {@code /<container-id>}</li>
 * </ul>
 */
public final class CgroupShapes {
    private CgroupShapes() {}

    /**
     * Whether any cgroup line of a process names {@code containerId}: a path segment equal to
     * it or containing it (the {@code docker-<id>.scope} shape). IDs shorter than 4 characters
     * would match by accident and never match.
     */
    public static boolean names(List<CgroupEntry> cgroups, String containerId) {
        if (containerId == null || containerId.length() < 4) return false;
        for (CgroupEntry e : cgroups) {
            String path = e.path();
            int end = path.length();
            // From the leaf up: a container's own cgroup is usually the last segment.
            while (end > 0) {
                int start = path.lastIndexOf('/', end - 1) + 1;
                if (end > start && segmentNames(path, start, end, containerId)) return true;
                end = start - 1;
            }
        }
        return false;
    }

    private static boolean segmentNames(String path, int start, int end, String id) {
        int len = end - start;
        if (len == id.length()) return path.regionMatches(start, id, 0, len);
        if (len < id.length()) return false;
        int at = path.indexOf(id, start);
        if (at < 0 || at + id.length() > end) return false;
        // Inside a segment, the ID must stand alone: "docker-<id>.scope", not "<id>abc".
        boolean leftOk = at == start || !Character.isLetterOrDigit(path.charAt(at - 1));
        int after = at + id.length();
        boolean rightOk = after == end || !Character.isLetterOrDigit(path.charAt(after));
        return leftOk && rightOk;
    }

    /**
     * The ID of the container a process runs in, from its cgroup lines (v1 and v2 alike): the innermost
     * segment, from the leaf up, that holds a 64-hex ID standing alone ({@code /docker/<id>},
     * {@code docker-<id>.scope}, {@code cri-containerd-<id>.scope}, {@code crio-<id>.scope},
     * {@code libpod-<id>.scope}, {@code /libpod_parent/<pod>/libpod-<id>}, {@code /kubepods/.../<id>},
     * and {@code /../docker-<id>.scope} as a private cgroup namespace shows a neighbour), or Fargate's
     * {@code /ecs/<task>/<leaf>}. Never a pod's ID ({@code libpod_pod_<id>}, the bare pod segment above
     * {@code libpod-<id>}) and never conmon's cgroup (the engine's monitor process, not a container).
     * Empty for {@code 0::/} (our own container under a private cgroup namespace) and host processes.
     */
    public static Optional<String> containerId(List<CgroupEntry> cgroups) {
        for (CgroupEntry e : cgroups) {
            Optional<String> id = containerId(e.path());
            if (id.isPresent()) return id;
        }
        return Optional.empty();
    }

    static Optional<String> containerId(String path) {
        String leaf = path.substring(path.lastIndexOf('/') + 1);
        if (leaf.equals("conmon") || leaf.startsWith("libpod-conmon-") || leaf.startsWith("crio-conmon-")) {
            return Optional.empty();
        }
        if (path.startsWith("/ecs/") && path.indexOf('/', 5) > 0 && hex64(leaf).isEmpty() && !leaf.isEmpty()) {
            return Optional.of(leaf);
        }
        int end = path.length();
        while (end > 0) {
            int start = path.lastIndexOf('/', end - 1) + 1;
            String segment = path.substring(start, end);
            end = start - 1;
            if (segment.contains("libpod_pod_")) continue; // a pod's slice, not a container
            Optional<String> hex = hex64(segment);
            if (hex.isPresent()) return hex;
        }
        return Optional.empty();
    }

    /** The form {@code docker ps} and {@code podman ps} print: the first 12 characters of a 64-hex ID. */
    public static String shortId(String id) {
        return hex64(id).filter(h -> h.equals(id)).map(h -> h.substring(0, 12)).orElse(id);
    }

    /** A 64-hex run standing alone in {@code s} (not part of a longer hex run). */
    static Optional<String> hex64(String s) {
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            run = isHex(c) ? run + 1 : 0;
            if (run == 64 && (i + 1 == s.length() || !isHex(s.charAt(i + 1)))) return Optional.of(s.substring(i - 63, i + 1));
        }
        return Optional.empty();
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }
}
