package io.taskscope.fs;

import io.taskscope.text.Bytes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * User and group names from a target's own /etc/passwd and /etc/group (read through its
 * {@link RootedFs}): inside a container, uid 33 is whoever that image says it is.
 */
public final class Accounts {
    static final long MAX_BYTES = 4L << 20;
    private final Map<Long, String> users;
    private final Map<Long, String> groups;

    Accounts(Map<Long, String> users, Map<Long, String> groups) {
        this.users = users;
        this.groups = groups;
    }

    /** Reads both files; a missing or unreadable file just means numeric ids. */
    public static Accounts load(RootedFs fs) {
        return new Accounts(parse(readQuietly(fs, "/etc/passwd")), parse(readQuietly(fs, "/etc/group")));
    }

    public static Accounts empty() {
        return new Accounts(Map.of(), Map.of());
    }

    private static String readQuietly(RootedFs fs, String path) {
        try {
            return Bytes.decode(fs.readAllBytes(path, MAX_BYTES));
        } catch (FsException e) {
            return "";
        }
    }

    /** name:x:id:... lines (passwd and group share the first three fields); the first name for an id wins. */
    static Map<Long, String> parse(String text) {
        Map<Long, String> byId = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(":", 4);
            if (f.length < 3 || f[0].isEmpty() || f[0].startsWith("#")) continue;
            try {
                byId.putIfAbsent(Long.parseLong(f[2].trim()), f[0]);
            } catch (NumberFormatException ignored) {
                // A malformed line in someone else's passwd is their problem, not a reason to fail.
            }
        }
        return byId;
    }

    public Optional<String> user(long uid) {
        return Optional.ofNullable(users.get(uid));
    }

    public Optional<String> group(long gid) {
        return Optional.ofNullable(groups.get(gid));
    }

    public String userOrId(long uid) {
        return user(uid).orElse(Long.toString(uid));
    }

    public String groupOrId(long gid) {
        return group(gid).orElse(Long.toString(gid));
    }
}
