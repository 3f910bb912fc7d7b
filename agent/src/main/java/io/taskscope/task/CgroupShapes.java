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
     * The container ID a cgroup path shows, when it has one of the known shapes: a 64-hex ID
     * anywhere in the leaf, or Fargate's {@code /ecs/<task>/<leaf>}.
     */
    public static Optional<String> containerId(List<CgroupEntry> cgroups) {
        for (CgroupEntry e : cgroups) {
            String path = e.path();
            String leaf = path.substring(path.lastIndexOf('/') + 1);
            Optional<String> hex = hex64(leaf);
            if (hex.isPresent()) return hex;
            if (path.startsWith("/ecs/") && path.indexOf('/', 5) > 0 && !leaf.isEmpty()) return Optional.of(leaf);
        }
        return Optional.empty();
    }

    static Optional<String> hex64(String s) {
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
            run = hex ? run + 1 : 0;
            if (run == 64 && (i + 1 == s.length() || !isHex(s.charAt(i + 1)))) return Optional.of(s.substring(i - 63, i + 1));
        }
        return Optional.empty();
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }
}
