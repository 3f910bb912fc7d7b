package io.taskscope.proc;

import io.taskscope.text.Bytes;
import io.taskscope.linux.Fs;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the files of one procfs. Every method answers "empty" when the process is gone or the
 * file is unreadable: a process may exit between any two reads, and that is normal, not an error.
 *
 * <p>One reader owns one growable buffer so that a snapshot of thousands of processes allocates
 * little; a reader is therefore not thread-safe (make one per thread).
 */
public final class ProcReader {
    /** procfs files we parse are small; this cap keeps a hostile cmdline from costing memory. */
    static final int MAX_FILE = 1 << 20;
    private static final int CHUNK = 8192;

    private final ProcPath proc;
    private final String prefix;
    private final StringBuilder path = new StringBuilder(64);
    private byte[] buf = new byte[8192];
    private int len;

    public ProcReader(ProcPath proc) {
        this.proc = proc;
        this.prefix = proc.root().toString() + "/";
    }

    public ProcPath proc() {
        return proc;
    }

    public Optional<ProcStat> stat(int pid) {
        return read(pid, "stat") ? ProcStat.parse(buf, len) : Optional.empty();
    }

    public Optional<ProcStatus> status(int pid) {
        return read(pid, "status") ? Optional.of(ProcStatus.parse(buf, len)) : Optional.empty();
    }

    /** The arguments; empty list for kernel threads and zombies; empty Optional when gone. */
    public Optional<List<String>> cmdline(int pid) {
        if (!read(pid, "cmdline")) return Optional.empty();
        if (len == 0) return Optional.of(List.of());
        List<String> args = new ArrayList<>(4);
        int start = 0;
        for (int i = 0; i < len; i++) {
            if (buf[i] == 0) {
                args.add(Bytes.decode(buf, start, i - start));
                start = i + 1;
            }
        }
        // A process that rewrote its title (nginx, php-fpm) may leave no trailing NUL.
        if (start < len) args.add(Bytes.decode(buf, start, len - start));
        return Optional.of(Collections.unmodifiableList(args));
    }

    public List<CgroupEntry> cgroups(int pid) {
        return read(pid, "cgroup") ? CgroupEntry.parse(Bytes.decode(buf, 0, len)) : List.of();
    }

    /** The inode of one namespace, from the {@code ns/<type>} link; empty when unreadable. */
    public OptionalLong namespace(int pid, NsType type) {
        return link(pid, "ns/" + type.file()).map(ProcReader::nsInode).filter(v -> v > 0)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** Every namespace of the process that we may read. */
    public Map<NsType, Long> namespaces(int pid) {
        Map<NsType, Long> out = new EnumMap<>(NsType.class);
        for (NsType t : NsType.values()) namespace(pid, t).ifPresent(v -> out.put(t, v));
        return out;
    }

    /**
     * The text of a link such as {@code exe}, {@code cwd}, {@code root}, {@code fd/3} or {@code ns/mnt}, its bytes
     * decoded losslessly ({@link Bytes}): a path that is not UTF-8 is kept, not turned into U+FFFD.
     */
    public Optional<String> link(int pid, String name) {
        String text;
        try {
            text = Files.readSymbolicLink(proc.file(pid, name)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
        // The JDK decodes with the locale's charset and replaces what it cannot: only then are the bytes read
        // again through readlinkat (a JNA call ps would otherwise never make: it costs start-up time).
        if (text.indexOf('\ufffd') < 0) return Optional.of(text);
        try {
            return Optional.of(Bytes.decode(Fs.readlinkat(Fs.AT_FDCWD, Fs.bytes(proc.file(pid, name).toString()))));
        } catch (RuntimeException e) { // LastErrorException: ENOENT, ESRCH (gone), EACCES (not ours)
            return Optional.empty();
        }
    }

    /** What {@link #exe} reports for runc's init: its binary is a copy on a mount runc detached (see there). */
    public static final String RUNC_INIT_EXE = "runc init (the runtime's own binary, on a detached mount)";
    /** What {@link #exe} reports for any other executable on a detached mount. */
    public static final String DETACHED_EXE = "(a file on a detached mount)";

    /**
     * The executable's path, {@code /proc/PID/exe}. The kernel prints a file on a mount that has been detached
     * (umount -l) relative to that mount's root: a file bind-mounted alone then reads as {@code /}, which is never
     * an executable. runc does exactly that while it creates a container: {@code runc init} runs from a read-only
     * bind mount of runc's binary, detached at once (its defence against CVE-2019-5736), until it execs the
     * container's process. That case is reported as {@link #RUNC_INIT_EXE} (recognised by runc's argv or its
     * {@code runc:[N:STAGE]} comm), any other as {@link #DETACHED_EXE}, never as the path {@code /}.
     */
    public Optional<String> exe(int pid) {
        return link(pid, "exe").map(e -> {
            if (!e.equals("/")) return e;
            List<String> argv = cmdline(pid).orElse(List.of());
            boolean runc = argv.size() >= 2 && argv.get(1).equals("init")
                    && (argv.get(0).equals("runc") || argv.get(0).endsWith("/runc"))
                    || comm(pid).map(c -> c.startsWith("runc:[")).orElse(false);
            return runc ? RUNC_INIT_EXE : DETACHED_EXE;
        });
    }

    /**
     * Whether {@code pid} is still the process that started at {@code startTicks} (stat field 22). Reads of one
     * process are separate opens of /proc/PID/...; a PID freed and reused between two of them would mix two processes.
     * Checking after the reads that the start time is unchanged proves they all came from the one process: a PID
     * never returns to a process that has ended.
     */
    public boolean sameProcess(int pid, long startTicks) {
        return stat(pid).map(s -> s.get(StatField.STARTTIME) == startTicks).orElse(false);
    }

    /** Whether the process (or thread) has a /proc entry. */
    public boolean exists(int pid) {
        return Files.exists(proc.file(pid, "stat"));
    }

    /** Thread ids of a process, from {@code <pid>/task}; empty when it is gone. */
    public List<Integer> threads(int pid) {
        List<Integer> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(proc.file(pid, "task"))) {
            for (Path p : s) {
                try {
                    out.add(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a tid
                }
            }
        } catch (IOException | RuntimeException e) {
            // vanished
        }
        return out;
    }

    /** {@code <pid>/task/<tid>/stat}: one thread's own fields (its CPU, its state). */
    public Optional<ProcStat> threadStat(int pid, int tid) {
        return read(pid, "task/" + tid + "/stat") ? ProcStat.parse(buf, len) : Optional.empty();
    }

    /** {@code <pid>/comm} without its newline (spaces in the name are kept). */
    public Optional<String> comm(int pid) {
        if (!read(pid, "comm")) return Optional.empty();
        int n = len > 0 && buf[len - 1] == '\n' ? len - 1 : len;
        return Optional.of(Bytes.decode(buf, 0, n));
    }

    /** Identity of the process's root directory (following {@code /proc/<pid>/root}). */
    public Optional<FileId> rootId(int pid) {
        return fileId(proc.file(pid, "root"));
    }

    /** The whole of a procfs file as text (at most 1 MiB), e.g. {@code global("sys/kernel/osrelease")}. */
    public Optional<String> text(Path file) {
        return readPath(file.toString()) ? Optional.of(Bytes.decode(buf, 0, len)) : Optional.empty();
    }

    /** A {@code <pid>/<name>} file as text. */
    public Optional<String> text(int pid, String name) {
        return read(pid, name) ? Optional.of(Bytes.decode(buf, 0, len)) : Optional.empty();
    }

    static Optional<FileId> fileId(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
            return Optional.of(new FileId((Long) a.get("dev"), (Long) a.get("ino")));
        } catch (IOException | UnsupportedOperationException | SecurityException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** "mnt:[4026531832]" -> 4026531832; 0 when the text has another shape. */
    static long nsInode(String link) {
        int open = link.lastIndexOf('[');
        int close = link.lastIndexOf(']');
        if (open < 0 || close <= open + 1) return 0;
        try {
            return Long.parseLong(link, open + 1, close, 10);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private boolean read(int pid, String name) {
        path.setLength(0);
        path.append(prefix).append(pid).append('/').append(name);
        return readPath(path.toString());
    }

    private boolean readPath(String file) {
        len = 0;
        try (FileInputStream in = new FileInputStream(file)) {
            while (true) {
                if (len == buf.length) {
                    if (buf.length >= MAX_FILE) break;
                    buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_FILE));
                }
                // At most 8 KiB a call: FileInputStream copies through a stack buffer up to that
                // size and mallocs above it.
                int want = Math.min(CHUNK, buf.length - len);
                int n = in.read(buf, len, want);
                if (n < 0) break;
                len += n;
                // procfs generates stat, status, cmdline and cgroup whole and fills the buffer it
                // is given, so a short read is the end: skipping the read that returns EOF saves
                // one syscall per file.
                if (n < want) break;
            }
            return true;
        } catch (IOException | SecurityException e) {
            // ENOENT/ESRCH: the process exited; EACCES: not ours to read. Both mean "no data".
            len = 0;
            return false;
        }
    }
}
