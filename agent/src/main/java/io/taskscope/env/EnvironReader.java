package io.taskscope.env;

import io.taskscope.text.Bytes;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.taskscope.TaskscopeException;
import io.taskscope.fs.FsException;
import io.taskscope.fs.RootedFs;
import io.taskscope.linux.Errno;
import io.taskscope.linux.RemoteMemory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A process's environment: /proc/PID/environ when it still holds one, otherwise the live
 * environment recovered from memory.
 *
 * <p>nginx, php-fpm and postgres write their process titles over the argv/environ area, so
 * /proc/PID/environ reads blank or as the title. The variables survive elsewhere (they copy them
 * before overwriting), reachable through libc's {@code environ} pointer. We find that pointer
 * without ptrace: the C library's (or, with a copy relocation, the executable's) ELF file is read
 * through the target's {@link RootedFs}, its dynamic symbol {@code __environ}/{@code environ} plus
 * the load base from /proc/PID/maps gives the pointer's address, and process_vm_readv reads the
 * pointer, the array and the strings, all bounded.
 */
public final class EnvironReader {
    public enum Mode {
        /** procfs when usable, else recover. */
        AUTO,
        /** Always read the live environment from memory. */
        LIVE
    }

    static final int MAX_PROCFS_BYTES = 4 << 20, MAX_ENTRIES = 8192, MAX_STRING = 128 << 10, MAX_TOTAL = 4 << 20;
    /** The C libraries tried per process (the executable comes first and is not counted). */
    static final int MAX_LIBRARIES = 8;
    /** How long one read of the neighbour's memory or files may block, and the whole recovery take (see {@link Deadline}). */
    static final long STALL_MILLIS = 500, DEADLINE_MILLIS = 5000;
    static final List<String> SYMBOLS = List.of("__environ", "environ", "_environ");
    /** glibc (libc.so.6, old libc-2.x.so) and musl (ld-musl-ARCH.so.1, Alpine's libc.musl-ARCH.so.1, Debian's libc.so). */
    static final Pattern LIBC = Pattern.compile("libc\\.so|libc\\.so\\.6|libc-2\\.\\d+\\.so|ld-musl-[^/]*\\.so\\.1|libc\\.musl-[^/]*\\.so\\.1");
    private static final String LIVE_NOTE = "this is the live environment: variables the process removed "
            + "(php-fpm's clear_env=yes, nginx workers) are gone from it";

    private EnvironReader() {}

    public static Environment read(int pid, Mode mode) {
        String comm = readComm(pid);
        byte[] raw = readProcfs(pid);
        String problem = mode == Mode.LIVE ? "the live environment was asked for (--live)" : problemWith(raw, pid);
        if (problem == null) {
            List<EnvVar> vars = new ArrayList<>();
            for (String e : split(raw)) vars.add(EnvVar.parse(e));
            return new Environment(pid, comm, Environment.Source.PROCFS, null, "/proc/" + pid + "/environ", null,
                    raw.length > MAX_PROCFS_BYTES, vars);
        }
        Recovered r = recover(pid, problem);
        List<EnvVar> vars = r.entries().stream().map(EnvVar::parse).toList();
        String note = vars.isEmpty()
                ? "the live environment is empty: the process (or the one that started it) cleared it, as nginx does "
                        + "for its workers unless 'env' directives keep variables; the variables it started with are gone"
                : LIVE_NOTE;
        return new Environment(pid, comm, Environment.Source.RECOVERED, problem, r.detail(), note, r.truncated(), vars);
    }

    /** Null when the bytes look like an environment; else why they are not used. */
    static String problemWith(byte[] raw, int pid) {
        List<String> entries = split(raw);
        String where = "/proc/" + pid + "/environ";
        if (raw.length == 0) return where + " is empty (started without an environment, or it was moved away)";
        if (entries.isEmpty()) {
            String title = title(pid);
            return where + " was blanked, overwritten by the process title" + (title.isEmpty() ? "" : " (\"" + title + "\")");
        }
        for (String e : entries) {
            int eq = e.indexOf('=');
            if (eq <= 0 || e.substring(0, eq).contains(" ")) {
                String title = title(pid);
                return where + " was overwritten by the process title" + (title.isEmpty() ? "" : " (\"" + title + "\")");
            }
        }
        return null;
    }

    /** The process title as ps shows it (/proc/PID/cmdline, NULs as spaces), shortened. */
    private static String title(int pid) {
        try (InputStream in = Files.newInputStream(Path.of("/proc/" + pid + "/cmdline"))) {
            String t = String.join(" ", split(in.readNBytes(200))).strip();
            return t.length() > 60 ? t.substring(0, 60) + "..." : t;
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> split(byte[] raw) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > start) out.add(Bytes.decode(raw, start, i - start));
                start = i + 1;
            }
        }
        return out;
    }

    private static byte[] readProcfs(int pid) {
        try (InputStream in = Files.newInputStream(Path.of("/proc/" + pid + "/environ"))) {
            return in.readNBytes(MAX_PROCFS_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw gone(pid);
        } catch (AccessDeniedException e) {
            throw permission(pid, "/proc/" + pid + "/environ");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Permission denied")) throw permission(pid, "/proc/" + pid + "/environ");
            if (!Files.exists(Path.of("/proc/" + pid))) throw gone(pid);
            if (zombie(pid)) {
                throw TaskscopeException.runtime("process " + pid + " is a zombie: it has exited and its memory, "
                        + "environment included, is gone; only its exit status waits for its parent", "nothing to read");
            }
            throw TaskscopeException.runtime("cannot read /proc/" + pid + "/environ: " + e.getMessage(),
                    "run again with --debug and report it if the process is still running", e);
        }
    }

    private static boolean zombie(int pid) {
        return new io.taskscope.proc.ProcReader(io.taskscope.proc.ProcPath.system()).stat(pid).map(s -> s.state() == 'Z')
                .orElse(false);
    }

    private static String readComm(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw gone(pid);
        }
    }

    static TaskscopeException gone(int pid) {
        return TaskscopeException.usage("process " + pid + " does not exist (or has exited)",
                "list the task's processes with 'taskscope ps'");
    }

    static TaskscopeException permission(int pid, String what) {
        return TaskscopeException.runtime("permission denied reading " + what,
                "taskscope needs CAP_SYS_PTRACE (linuxParameters.capabilities.add in the task definition) and root in the task's user namespace");
    }

    record Recovered(List<String> entries, String detail, boolean truncated) {}

    /** A place the environ pointer may live: a mapped ELF file and its load base. */
    record Module(String path, long base, long inode) {}

    static Recovered recover(int pid, String problem) {
        List<Mapping> maps;
        try {
            maps = Mapping.read(pid);
        } catch (AccessDeniedException e) {
            throw permission(pid, "/proc/" + pid + "/maps");
        } catch (IOException e) {
            throw gone(pid);
        }
        List<Module> modules = modules(pid, maps);
        if (modules.isEmpty()) {
            throw TaskscopeException.runtime(problem + ", and no C library is mapped in process " + pid
                    + " (a static binary?), so the live environment cannot be found", null);
        }
        // Opened here, before the clock starts (the first use loads the native bindings); closed by the
        // worker when it ends, never under it: an abandoned read may still be using them.
        RootedFs fs = RootedFs.open(pid);
        RemoteMemory mem = new RemoteMemory(pid);
        return Deadline.run(pid, STALL_MILLIS, DEADLINE_MILLIS, stage -> recover(pid, problem, modules, fs, mem, stage));
    }

    private static Recovered recover(int pid, String problem, List<Module> modules, RootedFs rootedFs, RemoteMemory memory,
                                     Deadline.Stage stage) {
        List<String> tried = new ArrayList<>();
        Recovered empty = null;
        try (RootedFs fs = rootedFs; RemoteMemory mem = memory) {
            for (Module m : modules) {
                final ElfSymbols elf;
                String inodeNote = "";
                String path = inRoot(m, fs, rootLink(pid));
                stage.set("the ELF file " + path);
                try (io.taskscope.fs.RegularFile file = fs.openRegular(path)) {
                    if (file.inode() != m.inode()) {
                        inodeNote = " (the file at that path is no longer the one mapped; symbols may not match)";
                    }
                    elf = ElfSymbols.parse(new ElfSymbols.Source() {
                        @Override
                        public long size() {
                            return file.size();
                        }

                        @Override
                        public int read(long offset, byte[] dst, int len) {
                            stage.begin();
                            try {
                                return file.read(offset, dst, 0, len);
                            } finally {
                                stage.end();
                            }
                        }
                    }, Set.copyOf(SYMBOLS));
                } catch (FsException e) {
                    tried.add(path + ": " + e.getMessage());
                    continue;
                } catch (ElfSymbols.ElfException e) {
                    tried.add(path + ": not a usable ELF file: " + e.getMessage());
                    continue;
                }
                if (SYMBOLS.stream().allMatch(sym -> elf.symbol(sym).isEmpty())) {
                    tried.add(path + ": defines no environ symbol");
                    continue;
                }
                for (String sym : SYMBOLS) {
                    Optional<Long> value = elf.symbol(sym);
                    if (value.isEmpty()) continue;
                    long address = m.base() + value.get() - elf.firstLoadVaddr();
                    try {
                        Recovered r = readArray(mem, address, sym + " of " + path + inodeNote, stage);
                        if (r != null && !r.entries().isEmpty()) return withSkipped(r, tried);
                        // An empty (or NULL) environment may be a decoy's: keep looking, fall back to it.
                        if (r != null && empty == null) empty = r;
                        else tried.add(sym + " of " + path + (r == null ? ": does not point at an environment" : ": empty"));
                    } catch (LastErrorException e) {
                        if (e.getErrorCode() == Errno.EPERM || e.getErrorCode() == Errno.EACCES) {
                            throw permission(pid, "the memory of process " + pid + " (process_vm_readv)");
                        }
                        if (e.getErrorCode() == Errno.ESRCH) throw gone(pid);
                        tried.add(sym + " of " + path + ": " + Errno.describe(e.getErrorCode()));
                    }
                }
            }
        }
        if (empty != null) return withSkipped(empty, tried);
        throw TaskscopeException.runtime(problem + ", and the live environment could not be recovered ("
                + String.join("; ", tried) + ")", null);
    }

    private static Recovered withSkipped(Recovered r, List<String> tried) {
        return tried.isEmpty() ? r : new Recovered(r.entries(), r.detail() + "; skipped " + String.join("; ", tried), r.truncated());
    }

    /**
     * The mapped file's path inside the target's root. /proc/PID/maps prints paths as seen from
     * the reader's root: a process chrooted inside our mount tree shows "/srv/root/usr/lib/...",
     * a container in its own mount namespace shows "/usr/lib/...". Strip the target's root when
     * that is what the path starts with and the inode agrees.
     */
    static String inRoot(Module m, RootedFs fs, String rootLink) {
        if (!rootLink.equals("/") && m.path().startsWith(rootLink + "/")) {
            String stripped = m.path().substring(rootLink.length());
            try {
                if (fs.stat(stripped).inode() == m.inode()) return stripped;
            } catch (FsException e) {
                // fall back to the path as printed
            }
        }
        return m.path();
    }

    private static String rootLink(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "/";
        }
    }

    /**
     * The executable first (a copy relocation puts the live {@code environ} there), then the C
     * library; each with the base address of its mapping at file offset 0.
     */
    static List<Module> modules(int pid, List<Mapping> maps) {
        String exe = null;
        try {
            exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
            if (exe.endsWith(" (deleted)")) exe = exe.substring(0, exe.length() - 10);
        } catch (IOException | UnsupportedOperationException e) {
            // kernel threads and some zombies have no exe; the C library may still be found
        }
        // One pass: the lowest mapping at file offset 0 of each path (a process may map 65,530 areas).
        Map<String, Mapping> firstByPath = new HashMap<>();
        for (Mapping m : maps) {
            if (m.offset() != 0 || m.path().isEmpty()) continue;
            if (!m.path().equals(exe) && !LIBC.matcher(m.baseName()).matches()) continue;
            firstByPath.merge(m.path(), m, (a, b) -> a.start() <= b.start() ? a : b);
        }
        List<Module> out = new ArrayList<>();
        if (exe != null && firstByPath.containsKey(exe)) {
            Mapping m = firstByPath.remove(exe);
            out.add(new Module(exe, m.start(), m.inode()));
        }
        // Every mapped C library, in address order: a process (or whoever controls its files) can map a
        // decoy libc.so.6 before the real one, and the first alone would then hide the environment. At most
        // MAX_LIBRARIES of them, so that thousands of decoys cost no more than a few.
        firstByPath.values().stream().sorted(Comparator.comparingLong(Mapping::start)).limit(MAX_LIBRARIES)
                .forEach(m -> out.add(new Module(m.path(), m.start(), m.inode())));
        return out;
    }

    /** Reads the char** at {@code address}; null when it does not look like an environment. */
    static Recovered readArray(RemoteMemory mem, long address, String where, Deadline.Stage stage) {
        try (Memory scratch = new Memory(4096)) {
            stage.set("the environ pointer (" + where + ") at 0x" + Long.toHexString(address));
            long array = timed(stage, () -> mem.readLong(address, scratch));
            stage.set("the environment array at 0x" + Long.toHexString(array) + " (" + where + ")");
            String detail = "read " + where + " at 0x" + Long.toHexString(address) + " with process_vm_readv";
            if (array == 0) return new Recovered(List.of(), detail + " (NULL: the process cleared its environment)", false);
            List<String> entries = new ArrayList<>();
            long total = 0;
            boolean truncated = false;
            for (int i = 0; ; i++) {
                if (i >= MAX_ENTRIES) {
                    truncated = true;
                    break;
                }
                final int index = i;
                long p = timed(stage, () -> mem.readLong(array + 8L * index, scratch));
                if (p == 0) break;
                stage.set("environment string " + i + " at 0x" + Long.toHexString(p) + " (" + where + ")");
                String s = readString(mem, p, scratch, stage);
                if (s == null) return null;
                total += s.length();
                if (total > MAX_TOTAL) {
                    truncated = true;
                    break;
                }
                entries.add(s);
            }
            long withEq = entries.stream().filter(e -> e.indexOf('=') > 0).count();
            if (!entries.isEmpty() && withEq * 2 < entries.size()) return null;
            return new Recovered(entries, detail, truncated);
        }
    }

    private interface Read {
        long run();
    }

    /** One read of the neighbour's memory, watched by the deadline. */
    private static long timed(Deadline.Stage stage, Read read) {
        stage.begin();
        try {
            return read.run();
        } finally {
            stage.end();
        }
    }

    /** A NUL-terminated string, read page by page so that the read never crosses into an unmapped page. */
    private static String readString(RemoteMemory mem, long address, Memory scratch, Deadline.Stage stage) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long a = address;
        while (out.size() < MAX_STRING) {
            int chunk = (int) Math.min(4096 - (a & 4095), MAX_STRING - out.size());
            int n;
            final long at = a;
            try {
                n = (int) timed(stage, () -> mem.read(at, scratch, chunk));
            } catch (LastErrorException e) {
                return null;
            }
            if (n <= 0) return null;
            byte[] b = scratch.getByteArray(0, n);
            for (int i = 0; i < n; i++) {
                if (b[i] == 0) {
                    out.write(b, 0, i);
                    return Bytes.decode(out.toByteArray());
                }
            }
            out.write(b, 0, n);
            a += n;
        }
        return Bytes.decode(out.toByteArray()) + "...";
    }
}
