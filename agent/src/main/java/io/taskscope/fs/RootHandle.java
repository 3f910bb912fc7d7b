package io.taskscope.fs;

import com.sun.jna.LastErrorException;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;
import io.taskscope.linux.Statx;
import java.util.ArrayList;
import java.util.List;

/**
 * The root of a {@link RootedFs}: an O_PATH fd and its resolver. Resolves a path inside it (refusing a result on
 * procfs reached through a symlink), reopens what was resolved for reading only after checking its type, and
 * turns every failure into one line that says when an escape was refused (the walk resolver explains).
 */
final class RootHandle implements AutoCloseable {
    private final int rootFd;
    private final Resolver resolver;
    private final String label;
    private boolean closed;

    RootHandle(int rootFd, Resolver resolver, String label) {
        this.rootFd = rootFd;
        this.resolver = resolver;
        this.label = label;
    }

    /** What the errors call the root: "process 42", a directory. */
    String label() {
        return label;
    }

    String resolverName() {
        return resolver.name();
    }

    /** Opens the file an O_PATH fd names for reading, after checking it is a regular file. */
    int reopenRegular(int pathFd, String path) {
        Statx st = Fs.fstat(pathFd);
        if (st.isDirectory()) {
            throw FsException.usage(FsException.Reason.IS_A_DIRECTORY, "'" + path + "' in " + label + " is a directory",
                    "use 'fs ls' or 'fs find'");
        }
        if (!st.isRegular()) {
            throw FsException.usage(FsException.Reason.NOT_REGULAR, "'" + path + "' in " + label + " is a "
                    + FileType.of(st.mode()).description() + ", not a regular file; taskscope does not open those "
                    + "(reading could block or have side effects)", "use 'fs stat' to describe it");
        }
        return reopen(pathFd, Fs.O_RDONLY | Fs.O_NONBLOCK);
    }

    int reopenDirectory(int pathFd, String path) {
        if (!Fs.fstat(pathFd).isDirectory()) {
            throw FsException.usage(FsException.Reason.NOT_A_DIRECTORY, "'" + path + "' in " + label + " is not a directory",
                    "use 'fs stat' or 'fs cat' for files");
        }
        return reopen(pathFd, Fs.O_RDONLY | Fs.O_DIRECTORY);
    }

    /**
     * Upgrades an O_PATH fd to a readable one through /proc/self/fd: the kernel reopens exactly
     * the inode the fd holds, with no path resolution in the target's tree. O_NOATIME first, so
     * that reading does not even touch the neighbour's access times (refused unless we own the
     * file or hold CAP_FOWNER, then we go without).
     */
    int reopen(int pathFd, int flags) {
        byte[] self = Fs.bytes("/proc/self/fd/" + pathFd);
        try {
            return Fs.openat(Fs.AT_FDCWD, self, flags | Fs.O_NOATIME | Fs.O_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EPERM) throw accessError("reopen", e.getErrorCode());
        }
        try {
            return Fs.openat(Fs.AT_FDCWD, self, flags | Fs.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw accessError("reopen", e.getErrorCode());
        }
    }

    FsException accessError(String path, int errno) {
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            return FsException.runtime(FsException.Reason.PERMISSION, "cannot read '" + path + "' in " + label + ": "
                    + Errno.describe(errno), "run taskscope as root with CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE");
        }
        return FsException.runtime(FsException.Reason.OTHER, "cannot read '" + path + "' in " + label + ": " + Errno.describe(errno), null);
    }

    /** Resolves inside the root; failures become one-line errors that say when an escape was refused. */
    int resolve(String path, boolean follow) {
        if (closed) throw new IllegalStateException("RootedFs closed");
        if (path.indexOf('\0') >= 0) {
            throw FsException.usage(FsException.Reason.BAD_PATH, "path contains a NUL byte", "give a plain path");
        }
        int fd;
        try {
            fd = resolver.resolve(rootFd, path, follow);
        } catch (LastErrorException e) {
            throw explain(path, follow, e.getErrorCode());
        }
        if (onProcfs(fd) && throughSymlink(path, follow)) {
            // The target's /proc is the task's shared procfs: /proc/self and /proc/thread-self name the reader,
            // taskscope, and a planted link into /proc/<pid> names whichever process the neighbour chose.
            Fs.closeQuietly(fd);
            throw FsException.runtime(FsException.Reason.ESCAPE_REFUSED, "escape refused: '" + path + "' in " + label
                    + " reaches /proc through a symbolic link: in a shared PID namespace /proc/self is taskscope itself,"
                    + " not the target", "give the /proc path without links, or use 'taskscope env' or 'inspect' on the PID");
        }
        return fd;
    }

    private static boolean onProcfs(int fd) {
        try {
            return Fs.fstatfsType(fd) == Fs.PROC_SUPER_MAGIC;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /**
     * Whether resolving {@code path} follows a symlink: openat2 again with RESOLVE_NO_SYMLINKS, which
     * fails with ELOOP if it does. Without openat2 the walk resolver already refuses every symlink on
     * procfs (/proc/self, /proc/thread-self), the case that reaches the reader.
     */
    private boolean throughSymlink(String path, boolean follow) {
        if (!Openat2Resolver.available()) return false;
        int flags = Fs.O_PATH | Fs.O_CLOEXEC | (follow ? 0 : Fs.O_NOFOLLOW);
        try {
            Fs.closeQuietly(Fs.openat2(rootFd, Fs.bytes(path.isEmpty() ? "/" : path), flags,
                    Fs.RESOLVE_IN_ROOT | Fs.RESOLVE_NO_MAGICLINKS | Fs.RESOLVE_NO_SYMLINKS));
            return false;
        } catch (LastErrorException e) {
            return true; // ELOOP: a symlink on the way; anything else: refuse rather than guess
        }
    }

    private FsException explain(String path, boolean follow, int errno) {
        // Walk again in user space, only to learn whether the path tried to leave the root.
        List<WalkResolver.Note> notes = new ArrayList<>();
        try {
            Fs.closeQuietly(WalkResolver.resolve(rootFd, path, follow, notes));
        } catch (LastErrorException ignored) {
            // The walk fails as the resolver did; its notes are what we wanted.
        }
        String where = "'" + path + "' in " + label;
        String escape = notes.stream().filter(n -> n.kind() != WalkResolver.Note.Kind.MAGIC_LINK)
                .map(WalkResolver.Note::describe).distinct().reduce((a, b) -> a + "; " + b).orElse(null);
        boolean magic = notes.stream().anyMatch(n -> n.kind() == WalkResolver.Note.Kind.MAGIC_LINK);
        if (magic && (errno == Errno.ENOENT || errno == Errno.ELOOP)) {
            // The target's /proc/self may not even name us (other PID namespace): still a magic-link escape.
            errno = Errno.ELOOP;
        }
        return switch (errno) {
            case Errno.ENOENT -> escape != null
                    ? FsException.runtime(FsException.Reason.ESCAPE_REFUSED, "escape refused: " + where
                            + " points outside the target's root (" + escape + "), and nothing is there inside it",
                            "paths are resolved inside the target's root only")
                    : FsException.runtime(FsException.Reason.NOT_FOUND, "no such file: " + where, "check the path with 'fs ls'");
            case Errno.ELOOP -> magic
                    ? FsException.runtime(FsException.Reason.MAGIC_LINK_REFUSED, "escape refused: " + where + " goes through a "
                            + "/proc magic link (" + notes.stream().filter(n -> n.kind() == WalkResolver.Note.Kind.MAGIC_LINK)
                            .map(WalkResolver.Note::at).findFirst().orElse("?") + "), which would leave the target's root",
                            "read the file by its path inside the container instead")
                    : FsException.runtime(FsException.Reason.SYMLINK_LOOP, "too many levels of symbolic links: " + where
                            + " (a symlink loop?)", "inspect the links with 'fs stat'");
            case Errno.EXDEV -> FsException.runtime(FsException.Reason.ESCAPE_REFUSED, "escape refused: " + where
                    + " crosses out of the target's root", "paths are resolved inside the target's root only");
            case Errno.ENOTDIR -> FsException.runtime(FsException.Reason.NOT_A_DIRECTORY, "not a directory: a component of "
                    + where + " is not a directory", "check the path with 'fs ls'");
            default -> accessError(path, errno);
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Fs.closeQuietly(rootFd);
        }
    }
}
