package io.taskscope.proc;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/<pid>/cgroup}: {@code hierarchy-ID:controller-list:cgroup-path}.
 * cgroup v2's single line is {@code 0::/path}; v1 has one line per hierarchy.
 */
public record CgroupEntry(int hierarchy, String controllers, String path) {

    /** True for the cgroup v2 (unified) line. */
    public boolean unified() {
        return hierarchy == 0 && controllers.isEmpty();
    }

    /** Parses the whole file; malformed lines are skipped, never fatal. */
    public static List<CgroupEntry> parse(String text) {
        List<CgroupEntry> out = new ArrayList<>(4);
        int start = 0;
        int len = text.length();
        while (start < len) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = len;
            int c1 = text.indexOf(':', start);
            int c2 = c1 < 0 || c1 >= end ? -1 : text.indexOf(':', c1 + 1);
            if (c2 > 0 && c2 < end) {
                int id;
                try {
                    id = Integer.parseInt(text, start, c1, 10);
                } catch (NumberFormatException e) {
                    id = -1;
                }
                if (id >= 0) out.add(new CgroupEntry(id, text.substring(c1 + 1, c2), text.substring(c2 + 1, end)));
            }
            start = end + 1;
        }
        return List.copyOf(out);
    }
}
