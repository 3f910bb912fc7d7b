package io.taskscope.fs;

import io.taskscope.text.Bytes;
import com.sun.jna.LastErrorException;
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
 * <p>Its pieces: {@link RootHandle} (resolution inside the root, reopening, the one-line errors), {@link TreeWalk}
 * ({@link #walk}), {@link FdReads} (bounded reads of open fds), {@link RegularFile} ({@link #openRegular}).
 *
 * <p>Not thread-safe; open one per thread (the fd is cheap).
 */
public final class RootedFs implements AutoCloseable {
    /** System property forcing a resolver: "openat2" or "walk" (tests run the hostile suite with both). */
    public static final String RESOLVER_PROPERTY = "taskscope.fs.resolver";

    public enum Mode { AUTO, OPENAT2, WALK }

    /** Bytes read from one file at most unless the caller says otherwise (cat's default). */
    public static final long DEFAULT_MAX_BYTES = 1L << 20;

    private final RootHandle root;
    private final String label;
    private Accounts accounts;

    private RootedFs(int rootFd, Resolver resolver, String label) {
        this.root = new RootHandle(rootFd, resolver, label);
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
        return root.resolverName();
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
        int fd = root.resolve(path, follow);
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
        return root.resolve(path, true);
    }

    /** The entries of directory {@code path}, described as lstat does, sorted by name. */
    public List<FileInfo> list(String path) {
        int fd = root.resolve(path, true);
        try {
            int dir = root.reopenDirectory(fd, path);
            try {
                String base = normalize(path);
                List<FileInfo> out = new ArrayList<>();
                for (byte[] name : FdReads.names(dir)) {
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
        int fd = root.resolve(path, true);
        try {
            int in = root.reopenRegular(fd, path);
            try {
                long size = Fs.fstat(in).size();
                ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(size, 0), Math.min(maxBytes, FdReads.BUF)));
                boolean truncated = FdReads.copy(in, maxBytes + 1, out::write) > maxBytes;
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
        int fd = root.resolve(path, true);
        try {
            int in = root.reopenRegular(fd, path);
            try {
                long size = Fs.fstat(in).size();
                long[] written = {0};
                FdReads.copy(in, maxBytes, (b, off, len) -> {
                    try {
                        sink.write(b, off, len);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    written[0] += len;
                });
                // More to read than we wrote: the file is longer than the cap (or grew meanwhile).
                boolean truncated = written[0] >= maxBytes && (size > maxBytes || FdReads.copy(in, 1, (b, o, l) -> { }) > 0);
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
        int fd = root.resolve(path, true);
        try {
            int in = root.reopenRegular(fd, path);
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
        int fd = root.resolve(path, true);
        try {
            int in = root.reopenRegular(fd, path);
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

    /** How far a walk goes (depth below the start, 0 = the start only; entries in all), and the largest file it hashes ({@link FileHash#DEFAULT_MAX_SNAPSHOT} by default). */
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
        return new TreeWalk(this, root).walk(path, limits, hash, visitor);
    }


    /** Describes {@code name} in {@code dir} (or dir itself when name is empty) without following it. */
    FileInfo info(String path, String name, int dir, byte[] rawName) {
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


    static String normalize(String path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            sb.append('/').append(part);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    static String baseName(String path) {
        String n = normalize(path);
        return n.equals("/") ? "/" : n.substring(n.lastIndexOf('/') + 1);
    }

    static String join(String base, byte[] name) {
        String n = Bytes.decode(name);
        return base.equals("/") ? "/" + n : base + "/" + n;
    }

    @Override
    public void close() {
        root.close();
    }
}
