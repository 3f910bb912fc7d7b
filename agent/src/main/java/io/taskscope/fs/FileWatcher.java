package io.taskscope.fs;

import io.taskscope.text.Bytes;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.taskscope.TaskscopeException;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;
import io.taskscope.linux.Inotify;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes under directories of a neighbour, from inotify: no ptrace, no cost to the target.
 *
 * <p>Each directory is resolved inside the target's root by {@link RootedFs} and watched through
 * its O_PATH fd ({@code /proc/self/fd/N}), so a watch can never be planted on the monitor's own
 * files by a symlink. Events carry the path as the container sees it. With {@code recursive},
 * directories created or moved in later are watched too.
 *
 * <p>Usage: {@code try (var w = FileWatcher.start(pid, container, paths, true, sink)) { ... }}.
 * The sink runs on the watcher's thread; it must not block for long (inotify's queue is bounded,
 * and an overflow is logged).
 *
 * <p>{@link #sensitive} watches a list of files and directories for opens and reads too (IN_OPEN, IN_ACCESS):
 * "a sensitive file was read" with no syscall stop. inotify does not say who opened a file, so those events name
 * the container and the path, never the process. A path missing in the container is skipped silently and picked up
 * by {@link #rewatch()}; a file replaced by a rename over it (as passwd does) is watched again at once.
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);
    private static final int MASK = Inotify.IN_CREATE | Inotify.IN_MODIFY | Inotify.IN_DELETE | Inotify.IN_MOVED_FROM
            | Inotify.IN_MOVED_TO | Inotify.IN_ATTRIB | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF | Inotify.IN_EXCL_UNLINK;
    private static final int SENSITIVE_MASK = MASK | Inotify.IN_OPEN | Inotify.IN_ACCESS;
    /** Directories watched per watcher at most; the kernel's own limit (max_user_watches) is shared by everyone. */
    public static final int MAX_WATCHES = 65_536;
    /** Below a sensitive directory (~/.ssh, a k8s secret's timestamped subdirectory): this deep, this many. */
    private static final RootedFs.WalkLimits SENSITIVE_WALK = new RootedFs.WalkLimits(3, 1024);
    /** Paths whose ACCESS was reported and that were not opened since; forgotten when it grows past this. */
    private static final int MAX_COALESCED = 4096;

    private final int pid;
    private final String container;
    private final boolean recursive;
    private final boolean sensitive;
    private final Consumer<FileChangeEvent> sink;
    private final RootedFs fs;
    private final int fd;
    private final Map<Integer, String> dirs = new HashMap<>(); // wd -> path in the container
    /** Sensitive watches: the paths asked for that are not watched now (missing, or deleted and not back yet). */
    private final Set<String> missing = new LinkedHashSet<>();
    /** Sensitive watches: the paths asked for, by the wd of their own watch. */
    private final Map<Integer, String> tops = new HashMap<>();
    private final Set<String> accessed = new HashSet<>(); // watcher thread only
    private final Thread thread;
    private volatile boolean closed;

    private FileWatcher(int pid, String container, boolean recursive, boolean sensitive, Consumer<FileChangeEvent> sink,
                        RootedFs fs, int fd) {
        this.pid = pid;
        this.container = container;
        this.recursive = recursive;
        this.sensitive = sensitive;
        this.sink = sink;
        this.fs = fs;
        this.fd = fd;
        this.thread = new Thread(this::loop, "taskscope-inotify-" + pid);
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching {@code paths} (inside the root of {@code pid}). Fails, watching nothing, when
     * a path cannot be resolved inside the root.
     *
     * @param container the container name put into events ("" when unknown)
     */
    public static FileWatcher start(int pid, String container, List<String> paths, boolean recursive,
                                    Consumer<FileChangeEvent> sink) {
        FileWatcher w = create(pid, container, recursive, false, sink);
        try {
            for (String p : paths) w.watchTree(RootedFs.normalize(p), true);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        w.thread.start();
        return w;
    }

    /**
     * Watches files and directories (inside the root of {@code pid}) for opens and reads as well as changes:
     * {@link FileChangeEvent.Kind#OPEN} for every open, one {@link FileChangeEvent.Kind#ACCESS} for the reads that
     * follow it (a read loop is one event), and the change kinds of {@link #start}. A directory is watched with its
     * subdirectories (3 levels, 1,024 watches at most; new ones as they appear), so an open of a file in it is an
     * event. Paths that do not exist (yet) are skipped silently; {@link #rewatch()} tries them again. Fails only
     * when procfs or inotify do (the process is gone, no inotify instance left).
     */
    public static FileWatcher sensitive(int pid, String container, List<String> paths, Consumer<FileChangeEvent> sink) {
        FileWatcher w = create(pid, container, true, true, sink);
        synchronized (w) {
            for (String p : paths) w.missing.add(RootedFs.normalize(p));
        }
        w.rewatch();
        w.thread.start();
        return w;
    }

    private static FileWatcher create(int pid, String container, boolean recursive, boolean sensitive,
                                      Consumer<FileChangeEvent> sink) {
        RootedFs fs = RootedFs.open(pid);
        int fd;
        try {
            fd = Inotify.inotify_init1(Inotify.IN_NONBLOCK | Inotify.IN_CLOEXEC);
        } catch (LastErrorException e) {
            fs.close();
            throw TaskscopeException.runtime("inotify_init1 failed: " + Errno.describe(e.getErrorCode()),
                    "raise fs.inotify.max_user_instances");
        }
        return new FileWatcher(pid, container, recursive, sensitive, sink, fs, fd);
    }

    /** How many directories (or files) are watched now. */
    public synchronized int watchCount() {
        return dirs.size();
    }

    /**
     * Sensitive watches: tries again every path asked for that is not watched now (it did not exist, or it was
     * deleted). One openat2 per missing path. Returns how many are still missing.
     */
    public int rewatch() {
        List<String> todo;
        synchronized (this) {
            if (closed) return 0;
            todo = List.copyOf(missing);
        }
        for (String p : todo) watchSensitive(p);
        synchronized (this) {
            return missing.size();
        }
    }

    /** Sensitive watches: the paths asked for that are watched now. */
    public synchronized List<String> watchedPaths() {
        return List.copyOf(new TreeSet<>(tops.values()));
    }

    private void watchSensitive(String path) {
        List<String> subdirs = new ArrayList<>();
        try {
            // the walk opens the directories it lists, before they are watched: no event of our own
            fs.walk(path, SENSITIVE_WALK, false, e -> {
                if (e.info().type() == FileType.DIRECTORY && e.depth() > 0) subdirs.add(e.info().path());
            });
        } catch (FsException e) {
            return; // not there (yet), or refused (a symlink out of the root): stays missing
        }
        int wd = watch(path, false);
        if (wd < 0) return;
        synchronized (this) {
            tops.put(wd, path);
            missing.remove(path);
        }
        for (String d : subdirs) watch(d, false);
    }

    private void watchTree(String path, boolean strict) {
        if (!recursive) {
            watch(path, strict);
            return;
        }
        List<String> subdirs = new ArrayList<>();
        try {
            fs.walk(path, new RootedFs.WalkLimits(64, MAX_WATCHES), false, e -> {
                if (e.info().type() == FileType.DIRECTORY) subdirs.add(e.info().path());
            });
        } catch (FsException e) {
            if (strict) throw e;
            return; // gone again before we could look
        }
        if (subdirs.isEmpty()) watch(path, strict); // a file: watch it alone
        for (String d : subdirs) watch(d, strict && d.equals(path));
    }

    /** Adds one watch; returns its wd, or -1 when it could not be added and {@code strict} is false. */
    private synchronized int watch(String path, boolean strict) {
        long max = sensitive ? SENSITIVE_WALK.maxEntries() : MAX_WATCHES;
        if (dirs.size() >= max) {
            log.warn("not watching {}: {} watches already", path, max);
            return -1;
        }
        int pathFd;
        try {
            pathFd = fs.openPath(path);
        } catch (FsException e) {
            if (strict) throw e;
            return -1;
        }
        try {
            int wd = Inotify.inotify_add_watch(fd, "/proc/self/fd/" + pathFd, sensitive ? SENSITIVE_MASK : MASK);
            dirs.put(wd, path);
            return wd;
        } catch (LastErrorException e) {
            if (!strict) return -1;
            String fix = e.getErrorCode() == Errno.byName("ENOSPC") ? "raise fs.inotify.max_user_watches" : null;
            throw TaskscopeException.runtime("cannot watch '" + path + "' in process " + pid + ": "
                    + Errno.describe(e.getErrorCode()), fix);
        } finally {
            Fs.closeQuietly(pathFd);
        }
    }

    private void loop() {
        try (Memory pfd = new Memory(8); Memory buf = new Memory(64 * 1024)) {
            pfd.setInt(0, fd);
            pfd.setShort(4, Inotify.POLLIN);
            while (!closed) {
                pfd.setShort(6, (short) 0);
                int ready;
                try {
                    ready = Inotify.poll(Pointer.nativeValue(pfd), 1, 200);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.EINTR) continue;
                    throw e;
                }
                if (ready <= 0 || closed) continue;
                int n;
                try {
                    n = Fs.read(fd, buf, (int) buf.size());
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.EAGAIN || e.getErrorCode() == Errno.EINTR) continue;
                    throw e;
                }
                dispatch(buf, n);
            }
        } catch (RuntimeException e) {
            if (!closed) log.error("file watcher for process {} stopped: {}", pid, e.toString());
        }
    }

    private void dispatch(Memory buf, int n) {
        int off = 0;
        while (off + 16 <= n) {
            int wd = buf.getInt(off);
            int mask = buf.getInt(off + 4);
            int len = buf.getInt(off + 12);
            if (len < 0 || off + 16 + len > n) break;
            String name = "";
            if (len > 0) {
                byte[] raw = buf.getByteArray(off + 16, len);
                int end = 0;
                while (end < raw.length && raw[end] != 0) end++;
                name = Bytes.decode(raw, 0, end);
            }
            off += 16 + len;
            handle(wd, mask, name);
        }
    }

    private void handle(int wd, int mask, String name) {
        if ((mask & Inotify.IN_Q_OVERFLOW) != 0) {
            log.warn("inotify queue overflowed for process {}: some changes were not seen", pid);
            return;
        }
        String dir;
        boolean parentWatched;
        synchronized (this) {
            dir = dirs.get(wd);
            if ((mask & Inotify.IN_IGNORED) != 0) {
                dirs.remove(wd);
                String top = tops.remove(wd);
                if (top != null) missing.add(top); // deleted, or replaced by a rename over it: watched again below
                if (top != null && !closed) watchSensitive(top);
                return;
            }
            parentWatched = sensitive && name.isEmpty() && dir != null && dirs.containsValue(parent(dir));
        }
        if (dir == null) return;
        String path = name.isEmpty() ? dir : (dir.equals("/") ? "/" + name : dir + "/" + name);
        boolean isDir = (mask & Inotify.IN_ISDIR) != 0;
        FileChangeEvent.Kind kind = kind(mask);
        if (kind == null) return;
        if (sensitive && name.isEmpty() && (mask & (Inotify.IN_ATTRIB | Inotify.IN_MOVE_SELF | Inotify.IN_DELETE_SELF)) != 0) {
            recheck(wd); // renamed away, or replaced by a rename over it: watch what the path names now
        }
        if (kind == FileChangeEvent.Kind.OPEN || kind == FileChangeEvent.Kind.ACCESS) {
            // a subdirectory's own watch repeats what its parent's watch reports with the name
            if (parentWatched) return;
            if (kind == FileChangeEvent.Kind.OPEN) {
                accessed.remove(path);
            } else {
                if (accessed.size() >= MAX_COALESCED) accessed.clear();
                if (!accessed.add(path)) return; // read again since the last open: one event for the whole read loop
            }
        }
        if (recursive && isDir && (kind == FileChangeEvent.Kind.CREATE || kind == FileChangeEvent.Kind.MOVE_TO)) {
            // a sensitive directory's new subdirectory is watched without listing it: listing opens it, an event
            if (sensitive) watch(path, false);
            else watchTree(path, false);
        }
        Instant now = Instant.now();
        sink.accept(new FileChangeEvent(TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano(), container, pid,
                path, kind, isDir));
    }

    /**
     * A sensitive path's own watch saw its link count change or its file move: when the path now names another
     * file (passwd renames a new /etc/shadow over the old one), the old watch goes and the new file is watched.
     */
    private synchronized void recheck(int wd) {
        String top = tops.get(wd);
        if (top == null || closed) return;
        int now = watch(top, false); // the same file gives the same wd back
        if (now == wd) return;
        tops.remove(wd);
        dirs.remove(wd);
        try {
            Inotify.inotify_rm_watch(fd, wd);
        } catch (LastErrorException ignored) {
            // gone already
        }
        missing.add(top);
        watchSensitive(top);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static FileChangeEvent.Kind kind(int mask) {
        if ((mask & Inotify.IN_CREATE) != 0) return FileChangeEvent.Kind.CREATE;
        if ((mask & (Inotify.IN_DELETE | Inotify.IN_DELETE_SELF)) != 0) return FileChangeEvent.Kind.DELETE;
        if ((mask & Inotify.IN_MOVED_FROM) != 0 || (mask & Inotify.IN_MOVE_SELF) != 0) return FileChangeEvent.Kind.MOVE_FROM;
        if ((mask & Inotify.IN_MOVED_TO) != 0) return FileChangeEvent.Kind.MOVE_TO;
        if ((mask & Inotify.IN_MODIFY) != 0) return FileChangeEvent.Kind.MODIFY;
        if ((mask & Inotify.IN_ATTRIB) != 0) return FileChangeEvent.Kind.ATTRIB;
        if ((mask & Inotify.IN_OPEN) != 0) return FileChangeEvent.Kind.OPEN;
        if ((mask & Inotify.IN_ACCESS) != 0) return FileChangeEvent.Kind.ACCESS;
        return null;
    }

    /** Stops the thread and releases every watch; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Fs.closeQuietly(fd); // drops every watch
        fs.close();
    }
}
