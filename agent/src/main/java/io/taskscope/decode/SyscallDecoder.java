package io.taskscope.decode;

import io.taskscope.linux.Arch;
import io.taskscope.linux.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * names come from {@link Xlat}. The printers live in one class per family, as strace keeps them:
 * {@link Strings}, {@link FileStructs}, {@link IoStructs}, {@link NetStructs}, {@link Structs},
 * {@link ProcessStructs}. Syscalls without a row print raw hex arguments, as strace does
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
            ArgKind.INTPTR, ArgKind.OSIGSET, ArgKind.OSIGACTION, ArgKind.ORLIMIT, ArgKind.HEXBUF, ArgKind.WAITSTATUS,
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

    private static final int AT_FDCWD = -100;

    private final SyscallTable table;
    private final Xlat xlat;
    private final boolean decodeFds;
    private final ArgKind[][] signatures;
    private final String[][] argTables; // per syscall, the xlat table of each FLAGS/CONST argument
    private final boolean x86;
    private final int execve, execveat, close, fcntl;
    private final boolean[] returnsFd;
    private final boolean[] atEntry; // besides execve: calls with an input strace reads before the call
    private final int wait4;
    private final Strings strings;
    private final Structs structs;
    private final FileStructs files;
    private final IoStructs io;
    private final NetStructs net;
    private final ProcessStructs procs;

    public SyscallDecoder(SyscallTable table, int stringLimit, boolean decodeFds) {
        this.table = table;
        this.xlat = Xlat.of(table.arch());
        this.strings = new Strings(stringLimit);
        this.decodeFds = decodeFds;
        this.x86 = table.arch() == Arch.X86_64;
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
        this.files = new FileStructs(xlat, table.arch());
        this.io = new IoStructs(xlat, table.arch(), strings);
        this.net = new NetStructs(xlat, io);
        this.procs = new ProcessStructs(xlat, table.arch(), strings);
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
        return mem.fdPath(pid, (int) rval).map(SyscallDecoder::escapeFdPath).orElse(null);
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
                    out.set(i, net.msghdr(args[i], namelen, rval, fdText(pid, mem), mem));
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
            for (int i = 0; i < n; i++) raw.add(hex(args[i]));
            return new Decoded(raw, null, null);
        }
        boolean ok = finished && !failed;
        if (sig.length > 0 && sig[0] == ArgKind.FUTEX) return new Decoded(procs.futex(args, mem), null, null);
        if (sig.length > 0 && sig[0] == ArgKind.CLONE) return new Decoded(procs.clone(args, ok, mem), null, null);
        if (sig.length > 0 && sig[0] == ArgKind.PRCTL) return new Decoded(procs.prctl(args, ok, mem), null, null);
        List<String> out = new ArrayList<>(sig.length);
        String path = null, flags = null;
        for (int i = 0; i < sig.length && i < 6; i++) {
            long v = args[i];
            String s;
            switch (sig[i]) {
                case FD -> s = pid < 0 ? Integer.toString((int) v) : fd(pid, (int) v, mem);
                case DIRFD -> s = (int) v == AT_FDCWD ? atFdcwd(pid, mem) : fd(pid, (int) v, mem);
                case PATH -> {
                    String raw = strings.cString(v, Strings.PATH_MAX, mem);
                    if (raw != null && path == null) path = raw;
                    s = v == 0 ? "NULL" : raw == null ? hex(v) : Strings.quote(raw.getBytes(StandardCharsets.ISO_8859_1), false);
                }
                case STR -> s = strings.string(v, mem);
                case OUTPATH -> {
                    String raw = ok ? strings.cString(v, Strings.PATH_MAX, mem) : null;
                    s = raw == null ? ptr(v) : Strings.quote(raw.getBytes(StandardCharsets.ISO_8859_1), false);
                }
                case OFLAGS -> {
                    s = openFlags(v);
                    flags = s;
                }
                case OMODE -> {
                    long of = i > 0 ? args[i - 1] : 0;
                    if ((of & 0100) == 0 && (of & 020000000) == 0) continue; // mode matters only with O_CREAT/O_TMPFILE
                    s = mode(v);
                }
                case MODE -> s = mode(v);
                case ATFLAGS -> s = xlat.flagsOrZero("at_flags", v & 0xffffffffL);
                case STATXFLAGS -> {
                    String f = xlat.flags("statx_flags", v & 0xffffffffL);
                    s = (v & 0x6000) == 0 ? "AT_STATX_SYNC_AS_STAT" + (f.isEmpty() ? "" : "|" + f) : f;
                }
                case STATXMASK -> s = xlat.flagsOrZero("statx_mask", v & 0xffffffffL);
                case ACCMODE -> {
                    s = (v & 7) == 0 ? "F_OK" : xlat.flags("access_modes", v & 0xffffffffL);
                    flags = s;
                }
                case FACCESSFLAGS -> s = xlat.flagsOrZero("faccessat_flags", v & 0xffffffffL);
                case UNLINKFLAGS -> s = xlat.flagsOrZero("unlinkat_flags", v & 0xffffffffL);
                case RENAMEFLAGS -> s = xlat.flagsOrZero("rename_flags", v & 0xffffffffL);
                case FDFLAGS -> s = xlat.flagsOrZero("fd_flags", v & 0xffffffffL);
                case STAT -> s = ok ? files.stat(v, mem) : ptr(v);
                case STATX -> s = ok ? files.statx(v, mem) : ptr(v);
                case STATFS -> s = ok ? files.statfs(v, mem) : ptr(v);
                case INT -> s = Integer.toString((int) v);
                case UINT -> s = Integer.toUnsignedString((int) v);
                case LONG -> s = Long.toString(v);
                case SIZE -> s = Long.toUnsignedString(v);
                case HEX -> s = hex(v);
                case PTR -> s = ptr(v);
                case RBUF -> s = ok ? strings.buffer(v, rval, mem) : ptr(v);
                case WBUF -> s = strings.buffer(v, i + 1 < 6 ? args[i + 1] : 0, mem);
                case ARGV -> s = strings.argv(v, mem);
                case ENVP -> s = strings.envp(v, mem);
                case WHENCE -> s = xlat.nameOr("seek_whence", v & 0xffffffffL, " /* SEEK_??? */");
                case FCNTLCMD -> s = xlat.nameOr("fcntl_cmds", v & 0xffffffffL, " /* F_??? */");
                case FCNTLARG -> {
                    int cmd = (int) args[1];
                    if (cmd == 1 || cmd == 3 || cmd == 9 || cmd == 1025 || cmd == 1032 || cmd == 1034) continue;
                    s = switch (cmd) {
                        case 2 -> xlat.flagsOrZero("fdflags", v);
                        case 4 -> openFlags(v);
                        case 6, 7, 37, 38 -> structs.flock(v, mem, false);
                        case 5, 36 -> ok ? structs.flock(v, mem, true) : ptr(v);
                        case 0, 1030, 1031, 8, 1024 -> Integer.toString((int) v);
                        default -> ptr(v);
                    };
                }
                case PIPEFD -> s = ok ? pipe(pid, v, mem) : ptr(v);
                case DENTS -> s = ok ? ptr(v) + " /* " + FileStructs.dirents(v, rval, mem) + " entries */" : ptr(v);
                case FAMILY -> s = xlat.nameOr("address_families", v & 0xffffffffL, " /* AF_??? */");
                case SOCKTYPE -> {
                    String type = xlat.nameOr("socket_types", v & 0xf, " /* SOCK_??? */");
                    String f = xlat.flags("socket_flags", v & 0xffffffffL & ~0xfL);
                    s = f.isEmpty() ? type : type + "|" + f;
                }
                case SOCKFLAGS -> s = xlat.flagsOrZero("socket_flags", v & 0xffffffffL);
                case MSGFLAGS -> s = xlat.flagsOrZero("msg_flags", v & 0xffffffffL);
                case SHUT -> s = xlat.nameOr("shutdown_modes", v & 0xffffffffL, " /* SHUT_??? */");
                case FLAGS -> s = xlat.flagsOrZero(argTables[(int) nr][i], v & 0xffffffffL);
                case CONST -> s = xlat.nameOr(argTables[(int) nr][i], v & 0xffffffffL, "");
                case INTPTR -> s = intPointer(v, mem);
                case OPTVAL -> s = i + 1 < 6 && args[i + 1] == 4 ? intPointer(v, mem) : ptr(v);
                case IOCTLARG -> {
                    long req = args[1] & 0xffffffffL;
                    if (req == 0x5451 || req == 0x5450) continue; // FIOCLEX, FIONCLEX take no argument
                    boolean intIn = req == 0x5421 || req == 0x5452 || req == 0x5410 || req == 0x40045431L;
                    boolean intOut = req == 0x541b || req == 0x540f || req == 0x80045430L;
                    // FICLONE takes the source fd itself; strace prints it as a number
                    s = intIn ? intPointer(v, mem) : intOut ? (ok ? intPointer(v, mem) : ptr(v))
                            : req == 0x40049409L ? Integer.toString((int) v) : hex(v);
                }
                case SIGSET -> s = Structs.sigsetAt(v, sizeArg(sig, args), mem);
                case OSIGSET -> s = ok || v == 0 ? Structs.sigsetAt(v, sizeArg(sig, args), mem) : ptr(v);
                case SIGACTION -> s = structs.sigaction(v, mem);
                case OSIGACTION -> s = ok || v == 0 ? structs.sigaction(v, mem) : ptr(v);
                case SIGRETURN -> {
                    String m = structs.sigreturnMask(mem.stackPointer(), mem);
                    if (m == null) continue;
                    s = m;
                }
                case RLIMIT -> s = Structs.rlimit(v, mem);
                case ORLIMIT -> s = ok || v == 0 ? Structs.rlimit(v, mem) : ptr(v);
                case HEXBUF -> s = ok ? strings.hexBuffer(v, rval, mem) : ptr(v);
                case WAITSTATUS -> {
                    ByteBuffer b = ok && rval > 0 ? Structs.struct(v, 4, mem) : null;
                    s = b == null ? ptr(v) : ProcessStructs.waitStatus(b.getInt(0));
                }
                case CLONE3 -> s = procs.cloneArgs(v, args[1], ok, mem);
                case POLLFDS -> s = structs.pollfds(v, i < 5 ? args[i + 1] : 0, mem, false,
                        decodeFds && pid >= 0 ? fd -> fd(pid, fd, mem) : null);
                case SYSINFO -> s = ok ? Structs.sysinfo(v, mem) : ptr(v);
                case UTSNAME -> s = ok ? Structs.utsname(v, mem) : ptr(v);
                case UTIMENS -> s = structs.timespecPair(v, mem);
                case STACK -> s = Structs.stack(v, mem);
                case OSTACK -> s = ok || v == 0 ? Structs.stack(v, mem) : ptr(v);
                case CPUSET -> s = ok ? Structs.cpuSet(v, rval, mem) : ptr(v);
                case SOCKLEN -> s = v == 0 ? "NULL" : !finished || ok ? Structs.intAt(v, mem) : ptr(v);
                case REMTIMESPEC -> {
                    long err = failed ? -rval : 0;
                    boolean interrupted = err == 4 || err == 512 || err == 513 || err == 514 || err == 516;
                    s = v != 0 && finished && interrupted ? Structs.timespec(v, mem) : ptr(v);
                }
                case SIGEVENT -> s = structs.sigevent(v, mem);
                case ITIMERSPEC -> s = Structs.itimerspec(v, mem);
                case OITIMERSPEC -> s = ok || v == 0 ? Structs.itimerspec(v, mem) : ptr(v);
                case GIDS -> s = ok && v != 0 ? Structs.ints(v, Math.min(rval, args[0] & 0xffffffffL), mem) : ptr(v);
                case SOCKOPT -> {
                    long level = i > 0 ? args[i - 1] & 0xffffffffL : -1;
                    String t = level == 1 ? "sockopt_socket" : level == 6 ? "sockopt_tcp" : null;
                    s = t == null ? Integer.toString((int) v) : xlat.nameOr(t, v & 0xffffffffL, "");
                }
                case SOCKPROTO -> {
                    long family = args[0] & 0xffffffffL;
                    s = family == 2 || family == 10 ? xlat.nameOr("ip_protocols", v & 0xffffffffL, "") : Integer.toString((int) v);
                }
                case SOCKADDR -> s = net.sockaddr(v, i + 1 < 6 ? (int) args[i + 1] : 0, mem);
                case SOCKADDROUT -> {
                    if (v == 0) s = "NULL";
                    else if (!ok) s = ptr(v);
                    else {
                        int len = i + 1 < 6 && args[i + 1] != 0 ? readInt(args[i + 1], mem) : 0;
                        s = net.sockaddr(v, len, mem);
                    }
                }
                case MMAPPROT -> s = v == 0 ? "PROT_NONE" : xlat.flags("mmap_prot", v & 0xffffffffL);
                case MMAPFLAGS -> {
                    String type = xlat.nameOr("mmap_type", v & 0xf, "");
                    String f = xlat.flags("mmap_flags", v & 0xffffffffL & ~0xfL);
                    s = f.isEmpty() ? type : type + "|" + f;
                }
                case SIGNAL -> {
                    int sig2 = (int) v;
                    s = sig2 == 0 ? "0" : Signals.name(sig2);
                }
                case CLOCKID -> s = xlat.nameOr("clocks", v & 0xffffffffL, "");
                case TIMERFLAGS -> s = xlat.flagsOrZero("timer_flags", v & 0xffffffffL);
                case TIMESPEC -> {
                    ByteBuffer b = v == 0 ? null : Structs.struct(v, 16, mem);
                    s = v == 0 ? "NULL" : b == null ? hex(v) : "{tv_sec=" + b.getLong(0) + ", tv_nsec=" + b.getLong(8) + "}";
                }
                case IOV -> s = io.iovec(v, i + 1 < 6 ? args[i + 1] : 0, -1, true, mem);
                case RIOV -> s = finished ? io.iovec(v, i + 1 < 6 ? args[i + 1] : 0, ok ? rval : 0, ok, mem) : ptr(v);
                case MSGHDR -> s = v == 0 ? "NULL" : net.msghdr(v, -1, -1, fdText(pid, mem), mem);
                case RMSGHDR -> {
                    long n = finished || v == 0 ? Long.MIN_VALUE : NetStructs.namelen(v, mem);
                    if (!finished) s = n == Long.MIN_VALUE ? ptr(v) : "{msg_namelen=" + n + "}"; // what a failed call prints
                    else if (!ok) s = ptr(v);
                    else s = v == 0 ? "NULL" : net.msghdr(v, -1, rval, fdText(pid, mem), mem);
                }
                case EPOLLEVENT -> s = (int) args[1] == 2 || v == 0 ? ptr(v) : io.epollEvent(v, mem); // EPOLL_CTL_DEL
                case EPOLLEVENTS -> s = ok ? io.epollEvents(v, rval, mem) : ptr(v);
                case RUSAGE -> s = ok && (nr != wait4 || rval > 0) ? ProcessStructs.rusage(v, mem) : ptr(v);
                case ARCHPRCTLARG -> {
                    s = ProcessStructs.archPrctlArg(args[0], v, ok, mem);
                    if (s == null) continue;
                }
                default -> s = hex(v);
            }
            out.add(s);
        }
        String detail = null;
        if (ok && rval > 0 && sig.length > 0 && sig[0] == ArgKind.POLLFDS) {
            detail = "(" + structs.pollfds(args[0], args[1], mem, true, null) + ")"; // strace: = 1 ([{fd=5, revents=POLLIN}])
        }
        return new Decoded(out, path, flags, detail);
    }

    // ---------------------------------------------------------------- scalars

    static String hex(long v) {
        return Strings.hex(v);
    }

    static String ptr(long v) {
        return Strings.ptr(v);
    }

    /** strace's "%#03o": 0644 -> "0644", 0 -> "000", 7 -> "007". */
    static String mode(long v) {
        String o = Long.toOctalString(v & 0xffffffffL);
        return o.length() >= 3 ? "0" + o : "0".repeat(3 - o.length()) + o;
    }

    String openFlags(long v) {
        long bits = v & 0xffffffffL;
        String access = xlat.nameOr("open_access", bits & 3, "");
        String rest = xlat.flags("open_flags", bits & ~3L);
        return rest.isEmpty() ? access : access + "|" + rest;
    }

    private String fd(int pid, int fd, TraceeMemory mem) {
        if (!decodeFds || fd < 0) return Integer.toString(fd);
        return mem.fdPath(pid, fd).map(p -> fd + "<" + escapeFdPath(p) + ">").orElse(Integer.toString(fd));
    }

    private String atFdcwd(int pid, TraceeMemory mem) {
        if (!decodeFds) return "AT_FDCWD";
        return mem.fdPath(pid, AT_FDCWD).map(p -> "AT_FDCWD<" + escapeFdPath(p) + ">").orElse("AT_FDCWD");
    }

    private static String escapeFdPath(String p) {
        StringBuilder b = new StringBuilder();
        for (byte c : p.getBytes(StandardCharsets.UTF_8)) {
            int u = c & 0xff;
            if (u < 0x20 || u >= 0x7f || u == '>' || u == '\\') b.append(String.format(Locale.ROOT, "\\x%02x", u));
            else b.append((char) u);
        }
        return b.toString();
    }

    /** The value of the call's size argument (a sigset's length), 8 when it has none. */
    private static long sizeArg(ArgKind[] sig, long[] args) {
        for (int i = sig.length - 1; i >= 0; i--) if (sig[i] == ArgKind.SIZE && i < 6) return args[i];
        return 8;
    }

    /** strace's [16] for an int behind a pointer; the address when it cannot be read. */
    private String intPointer(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        byte[] b = new byte[4];
        if (mem.read(addr, b, 0, 4) != 4) return ptr(addr);
        return "[" + ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() + "]";
    }

    private int readInt(long addr, TraceeMemory mem) {
        byte[] b = new byte[4];
        if (mem.read(addr, b, 0, 4) != 4) return -1;
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** With -y, fds printed with their paths (SCM_RIGHTS); plain numbers without a pid (a completion). */
    private java.util.function.IntFunction<String> fdText(int pid, TraceeMemory mem) {
        return fd -> pid < 0 ? Integer.toString(fd) : fd(pid, fd, mem);
    }

    /** pipe2/socketpair's two new fds; with -y with their paths ([3<pipe:[123]>, 4<pipe:[123]>]). */
    private String pipe(int pid, long addr, TraceeMemory mem) {
        ByteBuffer b = Structs.struct(addr, 8, mem);
        if (b == null) return hex(addr);
        return "[" + (pid < 0 ? Integer.toString(b.getInt(0)) : fd(pid, b.getInt(0), mem)) + ", "
                + (pid < 0 ? Integer.toString(b.getInt(4)) : fd(pid, b.getInt(4), mem)) + "]";
    }
}
