package io.taskscope.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decodes a syscall's arguments as strace prints them. Which argument is what comes from
 * {@code signatures.tsv} (one row per syscall, one {@link ArgKind} per printed argument); flag
 * names come from {@link Xlat}. Each argument's text comes from {@link Arguments} (one method per family of
 * kinds); the printers live in one class per family, as strace keeps them: {@link Strings}, {@link FileStructs},
 * {@link IoStructs}, {@link NetStructs}, {@link Structs}, {@link ProcessStructs}. Syscalls without a row print raw hex arguments, as strace does
 * for calls it does not decode.
 *
 * <p>Runs on the tracer thread while the tracee is stopped, only for calls the filter selected.
 * Input arguments and out-parameters are both decoded at the exit stop (the tracee has not run
 * in between), except for execve, whose memory is gone after a successful exec: it is decoded at
 * entry. Out-parameters (stat buffers, read data) are printed only when the call succeeded;
 * otherwise their address, as strace does.
 */
public final class SyscallDecoder {

    /** Kinds the call writes: read at the exit stop, printed only when the call succeeded. */
    private static final java.util.EnumSet<ArgKind> OUTPUT = java.util.EnumSet.of(ArgKind.OUTPATH, ArgKind.STAT,
            ArgKind.STATX, ArgKind.STATFS, ArgKind.RBUF, ArgKind.PIPEFD, ArgKind.DENTS, ArgKind.SOCKADDROUT,
            ArgKind.INTPTR, ArgKind.OSIGSET, ArgKind.OSIGACTION, ArgKind.ORLIMIT, ArgKind.HEXBUF, ArgKind.WAITSTATUS, ArgKind.SIGINFO,
            ArgKind.CLONE, ArgKind.CLONE3, ArgKind.SYSINFO, ArgKind.UTSNAME, ArgKind.OSTACK, ArgKind.CPUSET,
            ArgKind.SOCKLEN, ArgKind.FCNTLARG, ArgKind.IOCTLARG, ArgKind.FUTEX, ArgKind.POLLFDS, ArgKind.REMTIMESPEC,
            ArgKind.OITIMERSPEC, ArgKind.GIDS,
            ArgKind.RIOV, ArgKind.RMSGHDR, ArgKind.EPOLLEVENTS, ArgKind.RUSAGE, ArgKind.ARCHPRCTLARG, ArgKind.PRCTL);

    /** A call decoded as strace prints it; {@code path} raw (unescaped), {@code flags} the open/access flags. */
    public record Decoded(List<String> args, String path, String flags, String retDetail) {
        public Decoded(List<String> args, String path, String flags) {
            this(args, path, flags, null);
        }
    }

    private final SyscallTable table;
    private final Xlat xlat;
    private final boolean decodeFds;
    private final ArgKind[][] signatures;
    private final String[][] argTables; // per syscall, the xlat table of each FLAGS/CONST argument
    private final int execve, execveat, close, fcntl;
    private final boolean[] returnsFd;
    private final boolean[] atEntry; // besides execve: calls with an input strace reads before the call
    private final int wait4;
    private final Strings strings;
    private final Structs structs;
    private final NetStructs net;
    private final ProcessStructs procs;
    private final Arguments arguments;

    public SyscallDecoder(SyscallTable table, int stringLimit, boolean decodeFds) {
        this.table = table;
        this.xlat = Xlat.of(table.arch());
        this.strings = new Strings(stringLimit);
        this.decodeFds = decodeFds;
        this.signatures = new ArgKind[table.size()][];
        this.argTables = new String[table.size()][];
        Map<String, Signature> rows = loadSignatures();
        for (Syscall s : table.all()) {
            Signature sig = rows.get(s.name());
            if (sig == null) continue;
            signatures[s.number()] = sig.kinds();
            argTables[s.number()] = sig.tables();
        }
        this.execve = table.byName("execve").map(Syscall::number).orElse(-1);
        this.execveat = table.byName("execveat").map(Syscall::number).orElse(-1);
        this.close = table.byName("close").map(Syscall::number).orElse(-1);
        this.fcntl = table.byName("fcntl").map(Syscall::number).orElse(-1);
        this.returnsFd = new boolean[table.size()];
        for (String n : RETURNS_FD) table.byName(n).ifPresent(sc -> returnsFd[sc.number()] = true);
        this.atEntry = new boolean[table.size()];
        for (String n : AT_ENTRY) table.byName(n).ifPresent(sc -> atEntry[sc.number()] = true);
        if (decodeFds) for (String n : List.of("dup2", "dup3")) table.byName(n).ifPresent(sc -> atEntry[sc.number()] = true);
        this.wait4 = table.byName("wait4").map(Syscall::number).orElse(-1);
        this.structs = new Structs(xlat, table.arch(), java.time.ZoneId.systemDefault());
        FileStructs files = new FileStructs(xlat, table.arch());
        IoStructs io = new IoStructs(xlat, table.arch(), strings);
        this.net = new NetStructs(xlat, io);
        this.procs = new ProcessStructs(xlat, table.arch(), strings);
        this.arguments = new Arguments(xlat, decodeFds, argTables, wait4, strings, structs, files, io, net, procs);
    }

    /**
     * Calls with an argument that the call changes and strace prints as it was before: the socklen of
     * getsockname and friends ([128 => 16]), rt_sigreturn's mask on the stack (gone after the call); with -y,
     * dup2/dup3's target (printed with the file it named before the call).
     */
    private static final List<String> AT_ENTRY = List.of("getsockname", "getpeername", "accept", "accept4",
            "rt_sigreturn", "recvmsg");

    /** One row of signatures.tsv: the kind of each printed argument and, for flags:/const:, its table. */
    private record Signature(ArgKind[] kinds, String[] tables) {}

    private static Map<String, Signature> loadSignatures() {
        Map<String, Signature> rows = new HashMap<>();
        try (var in = SyscallDecoder.class.getResourceAsStream("signatures.tsv");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t");
                String[] kinds = f.length > 1 ? f[1].trim().split("\\s+") : new String[0];
                ArgKind[] k = new ArgKind[kinds.length];
                String[] t = new String[kinds.length];
                for (int i = 0; i < kinds.length; i++) {
                    int colon = kinds[i].indexOf(':');
                    k[i] = ArgKind.valueOf((colon < 0 ? kinds[i] : kinds[i].substring(0, colon)).toUpperCase(Locale.ROOT));
                    if (colon >= 0) t[i] = kinds[i].substring(colon + 1);
                    if ((k[i] == ArgKind.FLAGS || k[i] == ArgKind.CONST) && t[i] == null) {
                        throw new IllegalStateException("signatures.tsv: " + f[0] + ": " + kinds[i] + " needs a table (flags:TABLE)");
                    }
                }
                rows.put(f[0], new Signature(k, t));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /**
     * Whether the call must be decoded at its entry stop: execve's memory is replaced by the call, and with
     * -y close's fd is gone at its exit (strace prints close(3</etc/hostname>)).
     */
    public boolean decodesAtEntry(long nr) {
        return nr == execve || nr == execveat || decodeFds && nr == close
                || nr >= 0 && nr < atEntry.length && atEntry[(int) nr];
    }

    /** Calls whose return value is a new fd, printed as 3</path> with -y (fcntl only for F_DUPFD*). */
    private static final Set<String> RETURNS_FD = Set.of("open", "openat", "openat2", "creat", "socket", "accept", "accept4",
            "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "memfd_create", "eventfd", "eventfd2", "timerfd_create",
            "signalfd", "signalfd4", "inotify_init", "inotify_init1", "fanotify_init", "pidfd_open", "pidfd_getfd",
            "userfaultfd", "perf_event_open", "open_tree", "fsopen", "fsmount", "fspick", "open_by_handle_at", "fcntl");

    /** With -y, the path of the fd a call returned; null when it returns none (or -y is off). */
    public String returnedFd(int pid, long nr, long[] args, long rval, TraceeMemory mem) {
        if (!decodeFds || rval < 0 || nr < 0 || nr >= returnsFd.length || !returnsFd[(int) nr]) return null;
        if (nr == fcntl && args[1] != 0 && args[1] != 1030) return null; // F_DUPFD, F_DUPFD_CLOEXEC
        return mem.fdPath(pid, (int) rval).map(Arguments::escapeFdPath).orElse(null);
    }

    /**
     * Finishes a call decoded at entry: what the call wrote is read now ({@code mem} points at the thread
     * again), what it read keeps its entry text; a socklen that changed prints both ([128 => 16]).
     */
    public Decoded complete(Decoded entry, long nr, long[] args, long rval, boolean failed, boolean finished,
                            TraceeMemory mem) {
        return complete(entry, -1, nr, args, rval, failed, finished, mem);
    }

    /** {@link #complete}, with the thread-group id for -y's paths of what the call wrote (recvmsg's SCM_RIGHTS fds). */
    public Decoded complete(Decoded entry, int pid, long nr, long[] args, long rval, boolean failed, boolean finished,
                            TraceeMemory mem) {
        ArgKind[] sig = nr >= 0 && nr < signatures.length ? signatures[(int) nr] : null;
        if (sig == null || !finished || nr == execve || nr == execveat) return entry;
        boolean anyOutput = false;
        for (ArgKind k : sig) anyOutput |= OUTPUT.contains(k);
        if (!anyOutput || entry.args().size() != Math.min(sig.length, 6)) return entry;
        Decoded exit = decode(-1, nr, args, rval, failed, true, mem);
        if (exit.args().size() != entry.args().size()) return exit;
        List<String> out = new ArrayList<>(entry.args());
        for (int i = 0; i < out.size(); i++) {
            if (sig[i] == ArgKind.SOCKLEN) {
                String before = entry.args().get(i), after = exit.args().get(i);
                if (!failed && !before.equals(after) && before.startsWith("[") && after.startsWith("[")) {
                    out.set(i, before.substring(0, before.length() - 1) + " => " + after.substring(1));
                }
            } else if (sig[i] == ArgKind.RMSGHDR) {
                String before = entry.args().get(i); // {msg_namelen=110}: strace prints it as it is when the call failed
                if (!failed && before.startsWith("{msg_namelen=")) {
                    int namelen = Integer.parseInt(before.substring(13, before.length() - 1));
                    out.set(i, net.msghdr(args[i], namelen, rval, arguments.fdText(pid, mem), mem));
                } else if (!failed) {
                    out.set(i, exit.args().get(i));
                }
            } else if (OUTPUT.contains(sig[i])) {
                out.set(i, exit.args().get(i));
            }
        }
        return new Decoded(out, entry.path(), entry.flags());
    }

    /**
     * @param pid      thread-group id (for -y's /proc/PID/fd lookups)
     * @param rval     the return value (negative errno when failed)
     * @param finished false at entry, or when the process ended inside the call
     */
    public Decoded decode(int pid, long nr, long[] args, long rval, boolean failed, boolean finished, TraceeMemory mem) {
        ArgKind[] sig = nr >= 0 && nr < signatures.length ? signatures[(int) nr] : null;
        if (sig == null) {
            int n = table.byNumber(nr).map(Syscall::nargs).orElse(6);
            List<String> raw = new ArrayList<>(n);
            for (int i = 0; i < n; i++) raw.add(Strings.hex(args[i]));
            return new Decoded(raw, null, null);
        }
        boolean ok = finished && !failed;
        if (sig.length > 0 && sig[0] == ArgKind.FUTEX) return new Decoded(procs.futex(args, mem), null, null);
        if (sig.length > 0 && sig[0] == ArgKind.CLONE) return new Decoded(procs.clone(args, ok, mem), null, null);
        if (sig.length > 0 && sig[0] == ArgKind.PRCTL) return new Decoded(procs.prctl(args, ok, mem), null, null);
        List<String> out = new ArrayList<>(sig.length);
        String path = null, flags = null;
        Arguments.Call call = new Arguments.Call(pid, nr, args, rval, ok, finished, failed, mem, sig);
        for (int i = 0; i < sig.length && i < 6; i++) {
            ArgKind k = sig[i];
            String s;
            if (k == ArgKind.PATH) {
                long v = args[i];
                String raw = strings.cString(v, Strings.PATH_MAX, mem);
                if (raw != null && path == null) path = raw;
                s = v == 0 ? "NULL" : raw == null ? Strings.hex(v) : Strings.quote(raw.getBytes(StandardCharsets.ISO_8859_1), false);
            } else {
                s = arguments.text(k, i, call);
                if (s == null) continue;
                if (k == ArgKind.OFLAGS || k == ArgKind.ACCMODE) flags = s;
            }
            out.add(s);
        }
        String detail = null;
        if (ok && rval > 0 && sig.length > 0 && sig[0] == ArgKind.POLLFDS) {
            detail = "(" + structs.pollfds(args[0], args[1], mem, true, null) + ")"; // strace: = 1 ([{fd=5, revents=POLLIN}])
        }
        return new Decoded(out, path, flags, detail);
    }
}
