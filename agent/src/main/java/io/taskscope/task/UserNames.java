package io.taskscope.task;

import io.taskscope.proc.FileId;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcessInfo;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * User and group names as each container sees them: uid 101 is {@code nginx} in the web
 * container and 82 is {@code www-data} in the app container, so a name is looked up in the
 * {@code /etc/passwd} and {@code /etc/group} of the process's own root. Tables are cached per
 * root (mount namespace plus root directory); unknown IDs print as numbers, like ps.
 *
 * <p>Not thread-safe; one instance per snapshot or command.
 */
public final class UserNames {
    private record RootKey(long mntNs, FileId root) {}

    private final ProcPath proc;
    private final ProcReader reader;
    private final Map<RootKey, Map<Integer, String>> users = new HashMap<>();
    private final Map<RootKey, Map<Integer, String>> groups = new HashMap<>();

    public UserNames(ProcPath proc) {
        this.proc = proc;
        this.reader = new ProcReader(proc);
    }

    /** The user name of {@code uid} in the container of {@code p}, or the number. */
    public String user(ProcessInfo p, int uid) {
        return lookup(users, "passwd", p.pid(), p.mntNs(), p.root(), uid);
    }

    /** The group name of {@code gid} in the container of {@code p}, or the number. */
    public String group(ProcessInfo p, int gid) {
        return lookup(groups, "group", p.pid(), p.mntNs(), p.root(), gid);
    }

    /** The user name of {@code uid} as the process {@code pid} sees it, or the number. */
    public String user(int pid, int uid) {
        return lookup(users, "passwd", pid, reader.namespace(pid, io.taskscope.proc.NsType.MNT).orElse(0),
                reader.rootId(pid), uid);
    }

    /** The group name of {@code gid} as the process {@code pid} sees it, or the number. */
    public String group(int pid, int gid) {
        return lookup(groups, "group", pid, reader.namespace(pid, io.taskscope.proc.NsType.MNT).orElse(0),
                reader.rootId(pid), gid);
    }

    private String lookup(Map<RootKey, Map<Integer, String>> cache, String file, int pid, long mnt,
                          Optional<FileId> root, int id) {
        if (id < 0) return "?";
        // An unreadable root (zombie, protected process): 0 is root everywhere, other IDs stay numbers.
        if (mnt == 0 || root.isEmpty()) return id == 0 ? "root" : Integer.toString(id);
        Map<Integer, String> table = cache.computeIfAbsent(new RootKey(mnt, root.get()),
                k -> RootFiles.readEtc(proc, pid, file).map(UserNames::parse).orElse(Map.of()));
        String name = table.get(id);
        return name == null ? Integer.toString(id) : name;
    }

    /** {@code name:x:id:...} lines to id -> name; the first line for an ID wins, as in getpwuid. */
    static Map<Integer, String> parse(byte[] content) {
        Map<Integer, String> out = new HashMap<>();
        String text = new String(content, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == '+' || line.charAt(0) == '-') continue;
            int c1 = line.indexOf(':');
            int c2 = c1 < 0 ? -1 : line.indexOf(':', c1 + 1);
            int c3 = c2 < 0 ? -1 : line.indexOf(':', c2 + 1);
            if (c1 <= 0 || c3 < 0) continue;
            try {
                int id = Integer.parseInt(line, c2 + 1, c3, 10);
                String name = line.substring(0, c1);
                if (isPrintable(name)) out.putIfAbsent(id, name);
            } catch (NumberFormatException e) {
                // a hostile or broken line: skip it
            }
        }
        return out;
    }

    /** Names come from a neighbour: refuse control characters that would forge output lines. */
    private static boolean isPrintable(String s) {
        if (s.length() > 64) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7f) return false;
        return true;
    }
}
