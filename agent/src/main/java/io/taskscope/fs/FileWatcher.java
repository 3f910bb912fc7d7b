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
import java.util.List;
import java.util.Map;
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
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);
    private static final int MASK = Inotify.IN_CREATE | Inotify.IN_MODIFY | Inotify.IN_DELETE | Inotify.IN_MOVED_FROM
            | Inotify.IN_MOVED_TO | Inotify.IN_ATTRIB | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF | Inotify.IN_EXCL_UNLINK;
    /** Directories watched per watcher at most; the kernel's own limit (max_user_watches) is shared by everyone. */
    public static final int MAX_WATCHES = 65_536;

    private final int pid;
    private final String container;
    private final boolean recursive;
    private final Consumer<FileChangeEvent> sink;
    private final RootedFs fs;
    private final int fd;
    private final Map<Integer, String> dirs = new HashMap<>(); // wd -> path in the container
    private final Thread thread;
    private volatile boolean closed;

    private FileWatcher(int pid, String container, boolean recursive, Consumer<FileChangeEvent> sink, RootedFs fs, int fd) {
        this.pid = pid;
        this.container = container;
        this.recursive = recursive;
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
        RootedFs fs = RootedFs.open(pid);
        int fd;
        try {
            fd = Inotify.inotify_init1(Inotify.IN_NONBLOCK | Inotify.IN_CLOEXEC);
        } catch (LastErrorException e) {
            fs.close();
            throw TaskscopeException.runtime("inotify_init1 failed: " + Errno.describe(e.getErrorCode()),
                    "raise fs.inotify.max_user_instances");
        }
        FileWatcher w = new FileWatcher(pid, container, recursive, sink, fs, fd);
        try {
            for (String p : paths) w.watchTree(RootedFs.normalize(p), true);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        w.thread.start();
        return w;
    }

    /** How many directories (or files) are watched now. */
    public synchronized int watchCount() {
        return dirs.size();
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

    private synchronized void watch(String path, boolean strict) {
        if (dirs.size() >= MAX_WATCHES) {
            log.warn("not watching {}: {} watches already", path, MAX_WATCHES);
            return;
        }
        int pathFd;
        try {
            pathFd = fs.openPath(path);
        } catch (FsException e) {
            if (strict) throw e;
            return;
        }
        try {
            int wd = Inotify.inotify_add_watch(fd, "/proc/self/fd/" + pathFd, MASK);
            dirs.put(wd, path);
        } catch (LastErrorException e) {
            if (!strict) return;
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
        synchronized (this) {
            dir = dirs.get(wd);
            if ((mask & Inotify.IN_IGNORED) != 0) {
                dirs.remove(wd);
                return;
            }
        }
        if (dir == null) return;
        String path = name.isEmpty() ? dir : (dir.equals("/") ? "/" + name : dir + "/" + name);
        boolean isDir = (mask & Inotify.IN_ISDIR) != 0;
        FileChangeEvent.Kind kind = kind(mask);
        if (kind == null) return;
        if (recursive && isDir && (kind == FileChangeEvent.Kind.CREATE || kind == FileChangeEvent.Kind.MOVE_TO)) {
            watchTree(path, false);
        }
        Instant now = Instant.now();
        sink.accept(new FileChangeEvent(TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano(), container, pid,
                path, kind, isDir));
    }

    private static FileChangeEvent.Kind kind(int mask) {
        if ((mask & Inotify.IN_CREATE) != 0) return FileChangeEvent.Kind.CREATE;
        if ((mask & (Inotify.IN_DELETE | Inotify.IN_DELETE_SELF)) != 0) return FileChangeEvent.Kind.DELETE;
        if ((mask & Inotify.IN_MOVED_FROM) != 0 || (mask & Inotify.IN_MOVE_SELF) != 0) return FileChangeEvent.Kind.MOVE_FROM;
        if ((mask & Inotify.IN_MOVED_TO) != 0) return FileChangeEvent.Kind.MOVE_TO;
        if ((mask & Inotify.IN_MODIFY) != 0) return FileChangeEvent.Kind.MODIFY;
        if ((mask & Inotify.IN_ATTRIB) != 0) return FileChangeEvent.Kind.ATTRIB;
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
