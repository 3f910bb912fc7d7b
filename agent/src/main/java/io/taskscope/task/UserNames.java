package io.taskscope.task;

import io.taskscope.TaskscopeException;
import io.taskscope.fs.Accounts;
import io.taskscope.fs.RootedFs;
import io.taskscope.proc.FileId;
import io.taskscope.proc.NsType;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcessInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * User and group names as each container sees them: uid 101 is {@code nginx} in the web
 * container and 82 is {@code www-data} in the app container, so a name is looked up in the
 * {@code /etc/passwd} and {@code /etc/group} of the process's own root. The files are read
 * through {@link RootedFs} (resolved inside that root: a hostile neighbour's symlinks cannot point
 * us at the monitor's files). Tables are cached per root (mount namespace plus root directory);
 * unknown IDs print as numbers, like ps.
 *
 * <p>Not thread-safe; one instance per snapshot or command.
 */
public final class UserNames {
    private record RootKey(long mntNs, FileId root) {}

    private final ProcPath proc;
    private final ProcReader reader;
    private final Map<RootKey, Accounts> cache = new HashMap<>();

    public UserNames(ProcPath proc) {
        this.proc = proc;
        this.reader = new ProcReader(proc);
    }

    /** The user name of {@code uid} in the container of {@code p}, or the number. */
    public String user(ProcessInfo p, int uid) {
        return accounts(p.pid(), p.mntNs(), p.root()).flatMap(a -> a.user(uid)).orElseGet(() -> fallback(uid));
    }

    /** The group name of {@code gid} in the container of {@code p}, or the number. */
    public String group(ProcessInfo p, int gid) {
        return accounts(p.pid(), p.mntNs(), p.root()).flatMap(a -> a.group(gid)).orElseGet(() -> fallback(gid));
    }

    /** The user name of {@code uid} as the process {@code pid} sees it, or the number. */
    public String user(int pid, int uid) {
        return accounts(pid).flatMap(a -> a.user(uid)).orElseGet(() -> fallback(uid));
    }

    /** The group name of {@code gid} as the process {@code pid} sees it, or the number. */
    public String group(int pid, int gid) {
        return accounts(pid).flatMap(a -> a.group(gid)).orElseGet(() -> fallback(gid));
    }

    private Optional<Accounts> accounts(int pid) {
        return accounts(pid, reader.namespace(pid, NsType.MNT).orElse(0), reader.rootId(pid));
    }

    private Optional<Accounts> accounts(int pid, long mnt, Optional<FileId> root) {
        if (mnt == 0 || root.isEmpty()) return Optional.empty();
        return Optional.of(cache.computeIfAbsent(new RootKey(mnt, root.get()), k -> load(pid)));
    }

    private Accounts load(int pid) {
        try (RootedFs fs = RootedFs.openDirectory(proc.file(pid, "root"), RootedFs.Mode.AUTO)) {
            return fs.accounts();
        } catch (TaskscopeException | LinkageError e) {
            // Gone, not ours to read, or no native access: numbers it is.
            return Accounts.empty();
        }
    }

    /**
     * No name in the container's files, or no readable root (a zombie, the pause container without
     * /etc): 0 is root everywhere, like ps shows it; other IDs stay numbers.
     */
    private static String fallback(int id) {
        if (id < 0) return "?";
        return id == 0 ? "root" : Integer.toString(id);
    }
}
