package io.taskscope.fs;

import io.taskscope.text.Bytes;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;
import io.taskscope.linux.Statx;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Read-only access to a target's file system, every path resolved inside the target's root.
 *
 * <p>The root is an O_PATH fd of {@code /proc/PID/root}; paths are resolved against it by
 * {@link Openat2Resolver} (kernel 5.6+) or {@link WalkResolver}, never by handing the kernel a
 * {@code /proc/PID/root/...} string (that follows the neighbour's absolute symlinks, ".." chains and
 * magic links out into the monitor's own files). Nothing here opens for writing: files are reopened
 * from their O_PATH fd with O_RDONLY only after their type was checked, so a FIFO or a device
 * planted under a familiar name is never opened at all.
 *
 * <p>Not thread-safe; open one per thread (the fd is cheap).
 */
public final class RootedFs implements AutoCloseable {
    /** System property forcing a resolver: "openat2" or "walk" (tests run the hostile suite with both). */
    public static final String RESOLVER_PROPERTY = "taskscope.fs.resolver";

    public enum Mode { AUTO, OPENAT2, WALK }

    /** Bytes read from one file at most unless the caller says otherwise (cat's default). */
    public static final long DEFAULT_MAX_BYTES = 1L << 20;

    private static final int BUF = 64 * 1024;
    private static final long SYSFS_MAGIC = 0x62656572L;

    private final int rootFd;
    private final Resolver resolver;
    private final String label;
    private Accounts accounts;
    private boolean closed;

    private RootedFs(int rootFd, Resolver resolver, String label) {
        this.rootFd = rootFd;
        this.resolver = resolver;
        this.label = label;
    }

    /** The root of process {@code pid}, with the resolver chosen by {@link #RESOLVER_PROPERTY} (default: best available). */
    public static RootedFs open(int pid) {
        return open(pid, modeFromProperty());
    }

    public static RootedFs open(int pid, Mode mode) {
        String proc = io.taskscope.proc.ProcPath.system().file(pid, "root").toString();
        try {
            int fd = Fs.openat(Fs.AT_FDCWD, Fs.bytes(proc), Fs.O_PATH | Fs.O_DIRECTORY | Fs.O_CLOEXEC);
            return new RootedFs(fd, resolver(mode), "process " + pid);
        } catch (LastErrorException e) {
            throw targetError(pid, proc, e.getErrorCode());
        }
    }

    /**
     * A directory treated as a root: {@code /proc/PID/root} under a configurable proc root, a
     * fixture tree in tests, an image unpacked on disk. Resolver chosen as for {@link #open(int)}.
     */
    public static RootedFs openDirectory(Path dir) {
        return openDirectory(dir, modeFromProperty());
    }

    public static RootedFs openDirectory(Path dir, Mode mode) {
        try {
            int fd = Fs.openat(Fs.AT_FDCWD, Fs.bytes(dir.toString()), Fs.O_PATH | Fs.O_DIRECTORY | Fs.O_CLOEXEC);
            return new RootedFs(fd, resolver(mode), dir.toString());
        } catch (LastErrorException e) {
            throw FsException.usage(FsException.Reason.NOT_FOUND, "cannot open " + dir + ": "
                    + Errno.describe(e.getErrorCode()), "give an existing directory");
        }
    }

    static FsException targetError(int pid, String what, int errno) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ESRCH -> FsException.usage(FsException.Reason.TARGET_GONE,
                    "process " + pid + " does not exist (or has exited)", "list the task's processes with 'taskscope ps'");
            case Errno.EACCES, Errno.EPERM -> FsException.runtime(FsException.Reason.PERMISSION,
                    "cannot open " + what + ": " + Errno.describe(errno),
                    "taskscope needs CAP_SYS_PTRACE (linuxParameters.capabilities.add in the task definition) and root in the task's user namespace");
            default -> FsException.runtime(FsException.Reason.OTHER, "cannot open " + what + ": " + Errno.describe(errno), null);
        };
    }

    static Mode modeFromProperty() {
        String v = System.getProperty(RESOLVER_PROPERTY, "auto");
        return switch (v) {
            case "openat2" -> Mode.OPENAT2;
            case "walk" -> Mode.WALK;
            default -> Mode.AUTO;
        };
    }

    private static Resolver resolver(Mode mode) {
        return switch (mode) {
            case WALK -> new WalkResolver();
            case OPENAT2 -> new Openat2Resolver();
            case AUTO -> Openat2Resolver.available() ? new Openat2Resolver() : new WalkResolver();
        };
    }

    /** "openat2" or "walk". */
    public String resolverName() {
        return resolver.name();
    }

    /** Owner and group names from the target's own /etc/passwd and /etc/group, read once. */
    public Accounts accounts() {
        if (accounts == null) {
            accounts = Accounts.empty(); // guards against recursion while loading
            accounts = Accounts.load(this);
        }
        return accounts;
    }

    /** Describes {@code path}, following a final symlink. */
    public FileInfo stat(String path) {
        return describe(path, true);
    }

    /** Describes {@code path}; a final symlink is described, not followed. */
    public FileInfo lstat(String path) {
        return describe(path, false);
    }

    private FileInfo describe(String path, boolean follow) {
        int fd = resolve(path, follow);
        try {
            return info(normalize(path), baseName(path), fd, new byte[0]);
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    /**
     * An O_PATH fd of {@code path} (symlinks followed inside the root) for callers that hand the
     * kernel {@code /proc/self/fd/N}, such as the inotify watcher. The caller closes it.
     */
    public int openPath(String path) {
        return resolve(path, true);
    }

    /** The entries of directory {@code path}, described as lstat does, sorted by name. */
    public List<FileInfo> list(String path) {
        int fd = resolve(path, true);
        try {
            int dir = reopenDirectory(fd, path);
            try {
                String base = normalize(path);
                List<FileInfo> out = new ArrayList<>();
                for (byte[] name : names(dir)) {
                    try {
                        out.add(info(join(base, name), Bytes.decode(name), dir, name));
                    } catch (LastErrorException e) {
                        // Deleted between getdents and statx: a live file system, not an error.
                    }
                }
                out.sort(Comparator.comparing(FileInfo::name));
                return out;
            } finally {
                Fs.closeQuietly(dir);
            }
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    /** The first bytes of a regular file. */
    public record Content(byte[] bytes, long size, boolean truncated) {}

    /** Reads at most {@code maxBytes} of regular file {@code path}. */
    public Content read(String path, long maxBytes) {
        int fd = resolve(path, true);
        try {
            int in = reopenRegular(fd, path);
            try {
                long size = Fs.fstat(in).size();
                ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(size, 0), Math.min(maxBytes, BUF)));
                boolean truncated = copy(in, maxBytes + 1, out::write) > maxBytes;
                byte[] bytes = out.toByteArray();
                if (truncated) bytes = java.util.Arrays.copyOf(bytes, (int) maxBytes);
                return new Content(bytes, size, truncated);
            } finally {
                Fs.closeQuietly(in);
            }
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    /**
     * Writes at most {@code maxBytes} of regular file {@code path} to {@code sink} as it reads, holding
     * no more than one buffer: what 'fs cat' prints. The returned Content has no bytes.
     */
    public Content copyTo(String path, long maxBytes, java.io.OutputStream sink) {
        int fd = resolve(path, true);
        try {
            int in = reopenRegular(fd, path);
            try {
                long size = Fs.fstat(in).size();
                long[] written = {0};
                copy(in, maxBytes, (b, off, len) -> {
                    try {
                        sink.write(b, off, len);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    written[0] += len;
                });
                // More to read than we wrote: the file is longer than the cap (or grew meanwhile).
                boolean truncated = written[0] >= maxBytes && (size > maxBytes || copy(in, 1, (b, o, l) -> { }) > 0);
                return new Content(new byte[0], size, truncated);
            } finally {
                Fs.closeQuietly(in);
            }
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    /**
     * Regular file {@code path} opened for positional reads: nothing is read until asked, so a parser
     * reads the headers and sections it needs instead of the whole file (a neighbour's file may be
     * hundreds of MiB of padding). The caller closes it.
     */
    public RegularFile openRegular(String path) {
        int fd = resolve(path, true);
        try {
            int in = reopenRegular(fd, path);
            try {
                return new RegularFile(in, Fs.fstat(in), "'" + path + "' in " + label);
            } catch (RuntimeException e) {
                Fs.closeQuietly(in);
                throw e;
            }
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    /** An open regular file of the target's root, read with pread(2). */
    public static final class RegularFile implements AutoCloseable {
        private final int fd;
        private final Statx stat;
        private final String label;
        private final Memory buf = new Memory(BUF);

        private RegularFile(int fd, Statx stat, String label) {
            this.fd = fd;
            this.stat = stat;
            this.label = label;
        }

        /** The size when it was opened. */
        public long size() {
            return stat.size();
        }

        public long inode() {
            return stat.ino();
        }

        /** Fills {@code dst[off, off+len)} from file offset {@code pos}; returns fewer bytes only at end of file. */
        public int read(long pos, byte[] dst, int off, int len) {
            int got = 0;
            while (got < len) {
                int n;
                try {
                    n = Fs.pread(fd, buf, Math.min(BUF, len - got), pos + got);
                } catch (LastErrorException e) {
                    throw FsException.runtime(FsException.Reason.OTHER, "cannot read " + label + ": "
                            + Errno.describe(e.getErrorCode()), null);
                }
                if (n <= 0) break;
                buf.read(0, dst, off + got, n);
                got += n;
            }
            return got;
        }

        @Override
        public void close() {
            Fs.closeQuietly(fd);
            buf.close();
        }
    }

    /** All of regular file {@code path}; fails when it is larger than {@code maxBytes}. */
    public byte[] readAllBytes(String path, long maxBytes) {
        Content c = read(path, maxBytes);
        if (c.truncated()) {
            throw FsException.runtime(FsException.Reason.TOO_LARGE, "'" + path + "' in " + label
                    + " is larger than " + maxBytes + " bytes", "raise the limit (--max-bytes)");
        }
        return c.bytes();
    }

    /** SHA-256 of regular file {@code path}, hex, whatever its size. */
    public String sha256(String path) {
        return sha256(path, Long.MAX_VALUE);
    }

    /**
     * SHA-256 of regular file {@code path}, hex (holes of a sparse file are not read: {@link FileHash}); a file
     * larger than {@code maxBytes} is refused with TOO_LARGE ("not hashed: larger than ...") before any read.
     */
    public String sha256(String path, long maxBytes) {
        int fd = resolve(path, true);
        try {
            int in = reopenRegular(fd, path);
            try {
                String why = FileHash.notHashed(Fs.fstat(in).size(), maxBytes);
                if (why != null) {
                    throw FsException.runtime(FsException.Reason.TOO_LARGE, "not hashed: '" + io.taskscope.text.Escape.text(path)
                            + "' in " + label + " is " + why, "raise --max-size to hash it (holes of a sparse file cost no reads)");
                }
                return FileHash.sha256(in);
            } finally {
                Fs.closeQuietly(in);
            }
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    /**
     * One file met by {@link #walk}; {@code sha256} is set for regular files when hashing was asked for, unless the
     * file is larger than the walk's hash limit: then {@code notHashed} says so ("larger than 1 GiB").
     */
    public record Entry(FileInfo info, int depth, String sha256, String notHashed) {
        public Entry(FileInfo info, int depth, String sha256) {
            this(info, depth, sha256, null);
        }
    }

    /** Walk limits: depth below the start (0 = the start only) and entries in all. */
    /** How far a walk goes, and the largest file it hashes ({@link FileHash#DEFAULT_MAX_SNAPSHOT} by default). */
    public record WalkLimits(int maxDepth, long maxEntries, long maxHashBytes) {
        public static final WalkLimits DEFAULT = new WalkLimits(64, 200_000);

        public WalkLimits(int maxDepth, long maxEntries) {
            this(maxDepth, maxEntries, FileHash.DEFAULT_MAX_SNAPSHOT);
        }
    }

    /**
     * Visits {@code path} and, when it is a directory, everything below it, depth first in name
     * order, without following symlinks and without descending into /proc or /sys mounts.
     * Every step below the start is one component opened with O_NOFOLLOW from its parent's fd, so
     * a walk cannot be led outside the start directory. Returns false when maxEntries cut it short.
     */
    public boolean walk(String path, WalkLimits limits, boolean hash, Consumer<Entry> visitor) {
        int fd = resolve(path, true);
        try {
            String base = normalize(path);
            FileInfo start = info(base, baseName(path), fd, new byte[0]);
            long[] budget = {limits.maxEntries() - 1};
            String skip = hash && start.type() == FileType.FILE ? FileHash.notHashed(start.size(), limits.maxHashBytes()) : null;
            String sha = hash && skip == null && start.type() == FileType.FILE ? sha256(reopenRegular(fd, path), true) : null;
            visitor.accept(new Entry(start, 0, sha, skip));
            if (start.type() != FileType.DIRECTORY || limits.maxDepth() < 1) return true;
            int dir = reopenDirectory(fd, path);
            try {
                return walkDir(dir, base, 1, limits, budget, hash, visitor);
            } finally {
                Fs.closeQuietly(dir);
            }
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    private boolean walkDir(int dir, String base, int depth, WalkLimits limits, long[] budget, boolean hash,
                            Consumer<Entry> visitor) {
        for (byte[] name : names(dir)) {
            FileHash.checkInterrupted();
            if (budget[0]-- <= 0) return false;
            String p = join(base, name);
            FileInfo info;
            try {
                info = info(p, Bytes.decode(name), dir, name);
            } catch (LastErrorException e) {
                continue; // vanished mid-walk
            }
            String sha = null;
            String skip = hash && info.type() == FileType.FILE ? FileHash.notHashed(info.size(), limits.maxHashBytes()) : null;
            if (hash && skip == null && info.type() == FileType.FILE) sha = hashAt(dir, name);
            visitor.accept(new Entry(info, depth, sha, skip));
            if (info.type() == FileType.DIRECTORY && depth < limits.maxDepth()) {
                int child;
                try {
                    child = openChildDirectory(dir, name);
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

    /** A subdirectory for reading, never through a symlink, and without touching its atime where we may. */
    private static int openChildDirectory(int dir, byte[] name) {
        int flags = Fs.O_RDONLY | Fs.O_DIRECTORY | Fs.O_NOFOLLOW | Fs.O_CLOEXEC;
        try {
            return Fs.openat(dir, name, flags | Fs.O_NOATIME);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EPERM) throw e; // O_NOATIME needs ownership or CAP_FOWNER
            return Fs.openat(dir, name, flags);
        }
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
            return sha256(reopen(fd, Fs.O_RDONLY | Fs.O_NONBLOCK), true);
        } catch (LastErrorException e) {
            return null;
        } finally {
            Fs.closeQuietly(fd);
        }
    }

    private static String sha256(int in, boolean close) {
        try {
            return FileHash.sha256(in);
        } finally {
            if (close) Fs.closeQuietly(in);
        }
    }

    private interface Sink {
        void write(byte[] b, int off, int len);
    }

    /** Copies up to {@code max} bytes from fd to sink; returns the count. */
    private static long copy(int fd, long max, Sink sink) {
        try (Memory buf = new Memory(BUF)) {
            byte[] chunk = new byte[BUF];
            long total = 0;
            while (total < max) {
                FileHash.checkInterrupted();
                int n;
                try {
                    n = Fs.read(fd, buf, (int) Math.min(BUF, max - total));
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.EINTR) continue;
                    throw FsException.runtime(FsException.Reason.OTHER, "read failed: " + Errno.describe(e.getErrorCode()), null);
                }
                if (n <= 0) break;
                buf.read(0, chunk, 0, n);
                sink.write(chunk, 0, n);
                total += n;
            }
            return total;
        }
    }

    /** Raw names in a directory fd, without "." and "..", sorted bytewise. */
    private static List<byte[]> names(int dir) {
        List<byte[]> out = new ArrayList<>();
        try (Memory buf = new Memory(BUF)) {
            while (true) {
                int n = Fs.getdents64(dir, buf);
                if (n <= 0) break;
                int off = 0;
                while (off < n) {
                    int reclen = Short.toUnsignedInt(buf.getShort(off + 16));
                    if (reclen == 0) break;
                    int nameOff = off + 19;
                    int len = 0;
                    while (nameOff + len < off + reclen && buf.getByte(nameOff + len) != 0) len++;
                    byte[] name = buf.getByteArray(nameOff, len);
                    if (!(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.')) out.add(name);
                    off += reclen;
                }
            }
        } catch (LastErrorException e) {
            throw FsException.runtime(FsException.Reason.OTHER, "cannot list a directory: " + Errno.describe(e.getErrorCode()), null);
        }
        out.sort(java.util.Arrays::compareUnsigned);
        return out;
    }

    /** Describes {@code name} in {@code dir} (or dir itself when name is empty) without following it. */
    private FileInfo info(String path, String name, int dir, byte[] rawName) {
        Statx st = rawName.length == 0 ? Fs.fstat(dir) : Fs.statx(dir, rawName, Fs.AT_SYMLINK_NOFOLLOW);
        String link = null;
        if (st.isSymlink()) {
            try {
                link = Bytes.decode(Fs.readlinkat(dir, rawName));
            } catch (LastErrorException e) {
                link = "?";
            }
        }
        Accounts a = accounts();
        return new FileInfo(path, name, FileType.of(st.mode()), st.mode() & 07777, st.uid(), st.gid(),
                a.userOrId(st.uid()), a.groupOrId(st.gid()), st.size(),
                Instant.ofEpochSecond(st.mtimeSec(), st.mtimeNsec()), st.nlink(), st.ino(), link);
    }

    /** Opens the file an O_PATH fd names for reading, after checking it is a regular file. */
    private int reopenRegular(int pathFd, String path) {
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

    private int reopenDirectory(int pathFd, String path) {
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
    private int reopen(int pathFd, int flags) {
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

    private FsException accessError(String path, int errno) {
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            return FsException.runtime(FsException.Reason.PERMISSION, "cannot read '" + path + "' in " + label + ": "
                    + Errno.describe(errno), "run taskscope as root with CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE");
        }
        return FsException.runtime(FsException.Reason.OTHER, "cannot read '" + path + "' in " + label + ": " + Errno.describe(errno), null);
    }

    /** Resolves inside the root; failures become one-line errors that say when an escape was refused. */
    private int resolve(String path, boolean follow) {
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

    static String normalize(String path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            sb.append('/').append(part);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private static String baseName(String path) {
        String n = normalize(path);
        return n.equals("/") ? "/" : n.substring(n.lastIndexOf('/') + 1);
    }

    private static String join(String base, byte[] name) {
        String n = Bytes.decode(name);
        return base.equals("/") ? "/" + n : base + "/" + n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Fs.closeQuietly(rootFd);
        }
    }
}
