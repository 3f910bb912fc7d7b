package io.taskscope.fs;

import com.sun.jna.LastErrorException;
import io.taskscope.linux.Fs;
import io.taskscope.text.Bytes;
import java.util.function.Consumer;

/** {@link RootedFs#walk}: a tree below a path, one component at a time from its parent's fd, never through a link. */
final class TreeWalk {
    private static final long SYSFS_MAGIC = 0x62656572L;

    private final RootedFs fs;
    private final RootHandle root;

    TreeWalk(RootedFs fs, RootHandle root) {
        this.fs = fs;
        this.root = root;
    }

    /**
     * Visits {@code path} and, when it is a directory, everything below it, depth first in name
     * order, without following symlinks and without descending into /proc or /sys mounts.
     * Every step below the start is one component opened with O_NOFOLLOW from its parent's fd, so
     * a walk cannot be led outside the start directory. Returns false when maxEntries cut it short.
     */
    boolean walk(String path, RootedFs.WalkLimits limits, boolean hash, Consumer<RootedFs.Entry> visitor) {
        int fd = root.resolve(path, true);
        try {
            String base = RootedFs.normalize(path);
            FileInfo start = fs.info(base, RootedFs.baseName(path), fd, new byte[0]);
            long[] budget = {limits.maxEntries() - 1};
            String skip = hash && start.type() == FileType.FILE ? FileHash.notHashed(start.size(), limits.maxHashBytes()) : null;
            String sha = hash && skip == null && start.type() == FileType.FILE ? FdReads.sha256(root.reopenRegular(fd, path), true) : null;
            visitor.accept(new RootedFs.Entry(start, 0, sha, skip));
            if (start.type() != FileType.DIRECTORY || limits.maxDepth() < 1) return true;
            int dir = root.reopenDirectory(fd, path);
            try {
                return walkDir(dir, base, 1, limits, budget, hash, visitor);
            } finally {
                Fs.closeQuietly(dir);
            }
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    private boolean walkDir(int dir, String base, int depth, RootedFs.WalkLimits limits, long[] budget, boolean hash,
                            Consumer<RootedFs.Entry> visitor) {
        for (byte[] name : FdReads.names(dir)) {
            FileHash.checkInterrupted();
            if (budget[0]-- <= 0) return false;
            String p = RootedFs.join(base, name);
            FileInfo info;
            try {
                info = fs.info(p, Bytes.decode(name), dir, name);
            } catch (LastErrorException e) {
                continue; // vanished mid-walk
            }
            String sha = null;
            String skip = hash && info.type() == FileType.FILE ? FileHash.notHashed(info.size(), limits.maxHashBytes()) : null;
            if (hash && skip == null && info.type() == FileType.FILE) sha = hashAt(dir, name);
            visitor.accept(new RootedFs.Entry(info, depth, sha, skip));
            if (info.type() == FileType.DIRECTORY && depth < limits.maxDepth()) {
                int child;
                try {
                    child = FdReads.openChildDirectory(dir, name);
                } catch (LastErrorException e) {
                    continue; // replaced by a symlink or removed mid-walk; never followed
                }
                try {
                    long fsType = Fs.fstatfsType(child);
                    if (fsType == Fs.PROC_SUPER_MAGIC || fsType == SYSFS_MAGIC) continue;
                    if (!walkDir(child, p, depth + 1, limits, budget, hash, visitor)) return false;
                } finally {
                    Fs.closeQuietly(child);
                }
            }
        }
        return true;
    }

    private String hashAt(int dir, byte[] name) {
        int fd;
        try {
            fd = Fs.openat(dir, name, Fs.O_PATH | Fs.O_NOFOLLOW | Fs.O_CLOEXEC);
        } catch (LastErrorException e) {
            return null;
        }
        try {
            if (!Fs.fstat(fd).isRegular()) return null;
            return FdReads.sha256(root.reopen(fd, Fs.O_RDONLY | Fs.O_NONBLOCK), true);
        } catch (LastErrorException e) {
            return null;
        } finally {
            Fs.closeQuietly(fd);
        }
    }
}
