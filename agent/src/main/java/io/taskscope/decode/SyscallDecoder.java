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
 * names come from {@link Xlat}. Syscalls without a row print raw hex arguments, as strace does
 * for calls it does not decode.
 *
 * <p>Runs on the tracer thread while the tracee is stopped, only for calls the filter selected.
 * Input arguments and out-parameters are both decoded at the exit stop (the tracee has not run
 * in between), except for execve, whose memory is gone after a successful exec: it is decoded at
 * entry. Out-parameters (stat buffers, read data) are printed only when the call succeeded;
 * otherwise their address, as strace does.
 */
public final class SyscallDecoder {
    /** The decoder families: one per way strace prints an argument. */
    enum ArgKind {
        FD, DIRFD, PATH, STR, OUTPATH, OFLAGS, OMODE, MODE, ATFLAGS, STATXFLAGS, STATXMASK, ACCMODE, FACCESSFLAGS,
        UNLINKFLAGS, RENAMEFLAGS, FDFLAGS, STAT, STATX, STATFS, INT, UINT, LONG, SIZE, HEX, PTR, RBUF, WBUF, ARGV,
        ENVP, WHENCE, FCNTLCMD, FCNTLARG, PIPEFD, DENTS, FAMILY, SOCKTYPE, SOCKFLAGS, MSGFLAGS, SHUT, SOCKADDR,
        SOCKADDROUT, MMAPPROT, MMAPFLAGS, SIGNAL, CLOCKID, TIMERFLAGS, TIMESPEC,
        /** flags:TABLE in signatures.tsv: a flag set from any xlat.tsv table ("0" when none is set). */
        FLAGS,
        /** const:TABLE: one named value from any xlat.tsv table (the number when unknown). */
        CONST,
        /** A pointer to an int, printed as strace does: [16]; NULL as NULL. */
        INTPTR,
        /** setsockopt/getsockopt option name, whose table depends on the level before it (SOL_SOCKET, IPPROTO_TCP). */
        SOCKOPT,
        /** socket's protocol: IPPROTO_* names for the inet families, the number for the others. */
        SOCKPROTO,
        /** setsockopt's value: [N] when its length (the next argument) is an int's, else the address. */
        OPTVAL,
        /** ioctl's argument: [N] for the requests whose argument is an int* (FIONBIO, FIONREAD, ...), else hex. */
        IOCTLARG,
        /** A signal set read by the call (rt_sigprocmask's set; its length is the 4th argument). */
        SIGSET,
        /** A signal set the call writes (rt_sigprocmask's oldset). */
        OSIGSET,
        /** struct sigaction read by the call (rt_sigaction's act). */
        SIGACTION,
        /** struct sigaction the call writes (rt_sigaction's oldact). */
        OSIGACTION,
        /** rt_sigreturn's {mask=[...]} from the signal frame on the stack. */
        SIGRETURN,
        /** struct rlimit read by the call ({rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}). */
        RLIMIT,
        /** struct rlimit the call writes. */
        ORLIMIT,
        /** A buffer the call fills, printed in hex escapes (getrandom). */
        HEXBUF,
        /** wait4's status: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]. */
        WAITSTATUS,
        /** clone's five arguments, named as strace names them. */
        CLONE,
        /** clone3's struct clone_args. */
        CLONE3,
        /** futex's arguments, as many as the operation uses. */
        FUTEX,
        /** poll's pollfd array (its length is the next argument). */
        POLLFDS,
        /** struct sysinfo. */
        SYSINFO,
        /** struct utsname. */
        UTSNAME,
        /** utimensat's two timespecs, with UTIME_NOW/UTIME_OMIT and dates. */
        UTIMENS,
        /** stack_t read by the call (sigaltstack's ss). */
        STACK,
        /** stack_t the call writes (sigaltstack's old_ss). */
        OSTACK,
        /** sched_getaffinity's CPU mask: [0 1]. */
        CPUSET,
        /** A socklen_t the call reads and writes: [128 => 16]. */
        SOCKLEN,
        /** nanosleep's rem: printed only when a signal interrupted the call (the kernel wrote it then). */
        REMTIMESPEC,
        /** struct sigevent read by timer_create. */
        SIGEVENT,
        /** struct itimerspec read by the call (timer_settime's new value). */
        ITIMERSPEC,
        /** struct itimerspec the call writes. */
        OITIMERSPEC,
        /** getgroups' list: as many gids as the call returned (and the first argument allows). */
        GIDS
    }

    /** Kinds the call writes: read at the exit stop, printed only when the call succeeded. */
    private static final java.util.EnumSet<ArgKind> OUTPUT = java.util.EnumSet.of(ArgKind.OUTPATH, ArgKind.STAT,
            ArgKind.STATX, ArgKind.STATFS, ArgKind.RBUF, ArgKind.PIPEFD, ArgKind.DENTS, ArgKind.SOCKADDROUT,
            ArgKind.INTPTR, ArgKind.OSIGSET, ArgKind.OSIGACTION, ArgKind.ORLIMIT, ArgKind.HEXBUF, ArgKind.WAITSTATUS,
            ArgKind.CLONE, ArgKind.CLONE3, ArgKind.SYSINFO, ArgKind.UTSNAME, ArgKind.OSTACK, ArgKind.CPUSET,
            ArgKind.SOCKLEN, ArgKind.FCNTLARG, ArgKind.IOCTLARG, ArgKind.FUTEX, ArgKind.POLLFDS, ArgKind.REMTIMESPEC,
            ArgKind.OITIMERSPEC, ArgKind.GIDS);

    /** A call decoded as strace prints it; {@code path} raw (unescaped), {@code flags} the open/access flags. */
    public record Decoded(List<String> args, String path, String flags, String retDetail) {
        public Decoded(List<String> args, String path, String flags) {
            this(args, path, flags, null);
        }
    }

    private static final int AT_FDCWD = -100;
    private static final int PATH_MAX = 4096;
    private static final int MAX_ARGV = 256;

    private final SyscallTable table;
    private final Xlat xlat;
    private final int stringLimit;
    private final boolean decodeFds;
    private final ArgKind[][] signatures;
    private final String[][] argTables; // per syscall, the xlat table of each FLAGS/CONST argument
    private final byte[] scratch = new byte[PATH_MAX + 1];
    private final boolean x86;
    private final int execve, execveat, close, fcntl;
    private final boolean[] returnsFd;
    private final boolean[] atEntry; // besides execve: calls with an input strace reads before the call
    private final Structs structs;

    public SyscallDecoder(SyscallTable table, int stringLimit, boolean decodeFds) {
        this.table = table;
        this.xlat = Xlat.of(table.arch());
        this.stringLimit = stringLimit;
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
        this.structs = new Structs(xlat, table.arch(), java.time.ZoneId.systemDefault());
    }

    /**
     * Calls with an argument that the call changes and strace prints as it was before: the socklen of
     * getsockname and friends ([128 => 16]), rt_sigreturn's mask on the stack (gone after the call); with -y,
     * dup2/dup3's target (printed with the file it named before the call).
     */
    private static final List<String> AT_ENTRY = List.of("getsockname", "getpeername", "accept", "accept4",
            "rt_sigreturn");

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
        if (sig.length > 0 && sig[0] == ArgKind.FUTEX) return new Decoded(structs.futex(args, mem), null, null);
        if (sig.length > 0 && sig[0] == ArgKind.CLONE) return new Decoded(structs.clone(args, ok, mem), null, null);
        List<String> out = new ArrayList<>(sig.length);
        String path = null, flags = null;
        for (int i = 0; i < sig.length && i < 6; i++) {
            long v = args[i];
            String s;
            switch (sig[i]) {
                case FD -> s = pid < 0 ? Integer.toString((int) v) : fd(pid, (int) v, mem);
                case DIRFD -> s = (int) v == AT_FDCWD ? atFdcwd(pid, mem) : fd(pid, (int) v, mem);
                case PATH -> {
                    String raw = cString(v, PATH_MAX, mem);
                    if (raw != null && path == null) path = raw;
                    s = v == 0 ? "NULL" : raw == null ? hex(v) : quote(raw.getBytes(StandardCharsets.ISO_8859_1), false);
                }
                case STR -> s = string(v, mem);
                case OUTPATH -> {
                    String raw = ok ? cString(v, PATH_MAX, mem) : null;
                    s = raw == null ? ptr(v) : quote(raw.getBytes(StandardCharsets.ISO_8859_1), false);
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
                case STAT -> s = ok ? stat(v, mem) : ptr(v);
                case STATX -> s = ok ? statx(v, mem) : ptr(v);
                case STATFS -> s = ok ? statfs(v, mem) : ptr(v);
                case INT -> s = Integer.toString((int) v);
                case UINT -> s = Integer.toUnsignedString((int) v);
                case LONG -> s = Long.toString(v);
                case SIZE -> s = Long.toUnsignedString(v);
                case HEX -> s = hex(v);
                case PTR -> s = ptr(v);
                case RBUF -> s = ok ? buffer(v, rval, mem) : ptr(v);
                case WBUF -> s = buffer(v, i + 1 < 6 ? args[i + 1] : 0, mem);
                case ARGV -> s = argv(v, mem);
                case ENVP -> s = envp(v, mem);
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
                case DENTS -> s = ok ? ptr(v) + " /* " + dirents(v, rval, mem) + " entries */" : ptr(v);
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
                case HEXBUF -> s = ok ? hexBuffer(v, rval, mem) : ptr(v);
                case WAITSTATUS -> {
                    ByteBuffer b = ok && rval > 0 ? Structs.struct(v, 4, mem) : null;
                    s = b == null ? ptr(v) : Structs.waitStatus(b.getInt(0));
                }
                case CLONE3 -> s = structs.cloneArgs(v, args[1], ok, mem);
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
                case SOCKADDR -> s = sockaddr(v, i + 1 < 6 ? (int) args[i + 1] : 0, mem);
                case SOCKADDROUT -> {
                    if (v == 0) s = "NULL";
                    else if (!ok) s = ptr(v);
                    else {
                        int len = i + 1 < 6 && args[i + 1] != 0 ? readInt(args[i + 1], mem) : 0;
                        s = sockaddr(v, len, mem);
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
                    ByteBuffer b = v == 0 ? null : struct(v, 16, mem);
                    s = v == 0 ? "NULL" : b == null ? hex(v) : "{tv_sec=" + b.getLong(0) + ", tv_nsec=" + b.getLong(8) + "}";
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
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    static String ptr(long v) {
        return v == 0 ? "NULL" : "0x" + Long.toHexString(v);
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

    // ---------------------------------------------------------------- strings and buffers

    /** A NUL-terminated string of at most {@code max} bytes as ISO-8859-1 (bytes kept), or null when unreadable. */
    private String cString(long addr, int max, TraceeMemory mem) {
        if (addr == 0) return null;
        int got = 0;
        while (got < max) {
            int want = Math.min(256, max - got);
            int n = mem.read(addr + got, scratch, got, want);
            if (n <= 0) return got == 0 ? null : new String(scratch, 0, got, StandardCharsets.ISO_8859_1);
            for (int i = got; i < got + n; i++) {
                if (scratch[i] == 0) return new String(scratch, 0, i, StandardCharsets.ISO_8859_1);
            }
            got += n;
        }
        return new String(scratch, 0, got, StandardCharsets.ISO_8859_1);
    }

    /** A NUL-terminated string cut at -s, quoted, with "..." when longer. */
    private String string(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        String raw = cString(addr, stringLimit + 1, mem);
        if (raw == null) return hex(addr);
        byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
        boolean cut = b.length > stringLimit;
        return quote(cut ? java.util.Arrays.copyOf(b, stringLimit) : b, cut);
    }

    /** {@code len} bytes of data cut at -s, quoted. */
    private String buffer(long addr, long len, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        if (len <= 0) return "\"\"";
        int want = (int) Math.min(len, Math.min(stringLimit, scratch.length));
        if (want == 0) return quote(new byte[0], true); // -s 0: strace prints ""...
        byte[] b = new byte[want];
        int n = mem.read(addr, b, 0, want);
        if (n <= 0) return hex(addr);
        return quote(n < want ? java.util.Arrays.copyOf(b, n) : b, len > want);
    }

    /** strace's quoting: C escapes, octal for other non-printable bytes, "..." after a cut. */
    static String quote(byte[] b, boolean cut) {
        StringBuilder s = new StringBuilder(b.length + 8).append('"');
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\r' -> s.append("\\r");
                case 0x0b -> s.append("\\v");
                case 0x0c -> s.append("\\f");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        s.append((char) c);
                    } else {
                        boolean digitNext = i + 1 < b.length && b[i + 1] >= '0' && b[i + 1] <= '7';
                        String o = Integer.toOctalString(c);
                        s.append('\\').append(digitNext ? "0".repeat(3 - o.length()) + o : o);
                    }
                }
            }
        }
        s.append('"');
        if (cut) s.append("...");
        return s.toString();
    }

    /** The value of the call's size argument (a sigset's length), 8 when it has none. */
    private static long sizeArg(ArgKind[] sig, long[] args) {
        for (int i = sig.length - 1; i >= 0; i--) if (sig[i] == ArgKind.SIZE && i < 6) return args[i];
        return 8;
    }

    /** getrandom's buffer: every byte as \\xNN (strace's QUOTE_FORCE_HEX), cut at -s. */
    private String hexBuffer(long addr, long len, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        int want = (int) Math.min(Math.max(len, 0), stringLimit);
        byte[] b = new byte[want];
        if (want > 0 && mem.read(addr, b, 0, want) != want) return hex(addr);
        StringBuilder s = new StringBuilder(want * 4 + 5).append('"');
        for (byte c : b) s.append("\\x").append(Character.forDigit((c >> 4) & 15, 16)).append(Character.forDigit(c & 15, 16));
        s.append('"');
        if (len > want) s.append("...");
        return s.toString();
    }

    private long readLong(long addr, TraceeMemory mem) {
        byte[] b = new byte[8];
        if (mem.read(addr, b, 0, 8) != 8) return -1;
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
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

    private ByteBuffer struct(long addr, int size, TraceeMemory mem) {
        byte[] b = new byte[size];
        int n = mem.read(addr, b, 0, size);
        return n == size ? ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN) : null;
    }

    private String argv(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < MAX_ARGV; i++) {
            long p = readLong(addr + 8L * i, mem);
            if (p == -1) return i == 0 ? hex(addr) : b.append(", ...]").toString();
            if (p == 0) return b.append(']').toString();
            if (i > 0) b.append(", ");
            if (i >= Math.max(stringLimit, 1)) return b.append("...]").toString();
            b.append(string(p, mem));
        }
        return b.append(", ...]").toString();
    }

    private String envp(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        int n = 0;
        while (n < 4096) {
            long p = readLong(addr + 8L * n, mem);
            if (p == -1) return hex(addr);
            if (p == 0) break;
            n++;
        }
        return hex(addr) + " /* " + n + (n == 1 ? " var */" : " vars */");
    }

    // ---------------------------------------------------------------- structs

    /** {@code {st_mode=S_IFREG|0644, st_size=123, ...}}, strace's abbreviated struct stat. */
    private String stat(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, x86 ? 144 : 128, mem);
        if (b == null) return hex(addr);
        long mode = (x86 ? b.getInt(24) : b.getInt(16)) & 0xffffffffL;
        long rdev = x86 ? b.getLong(40) : b.getLong(32);
        long size = b.getLong(48);
        return "{st_mode=" + fileMode(mode) + ", " + sizeOrRdev(mode, size, major(rdev), minor(rdev)) + ", ...}";
    }

    private String statx(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 256, mem);
        if (b == null) return hex(addr);
        long mask = b.getInt(0) & 0xffffffffL;
        long attrs = b.getLong(8);
        long mode = b.getShort(28) & 0xffff;
        long size = b.getLong(40);
        return "{stx_mask=" + xlat.flagsOrZero("statx_mask", mask) + ", stx_attributes=" + hex(attrs) + ", stx_mode="
                + fileMode(mode) + ", " + sizeOrRdev(mode, size, b.getInt(128), b.getInt(132)).replace("st_", "stx_")
                + ", ...}";
    }

    private String statfs(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 120, mem);
        if (b == null) return hex(addr);
        long type = b.getLong(0);
        String name = xlat.name("fs_magic", type);
        return "{f_type=" + (name != null ? name : hex(type)) + ", f_bsize=" + b.getLong(8) + ", f_blocks=" + b.getLong(16)
                + ", f_bfree=" + b.getLong(24) + ", f_bavail=" + b.getLong(32) + ", f_files=" + b.getLong(40)
                + ", f_ffree=" + b.getLong(48) + ", f_fsid={val=[" + hex(b.getInt(56) & 0xffffffffL) + ", "
                + hex(b.getInt(60) & 0xffffffffL) + "]}, f_namelen=" + b.getLong(64) + ", f_frsize=" + b.getLong(72)
                + ", f_flags=" + xlat.flagsOrZero("statfs_flags", b.getLong(80)) + "}";
    }

    /** "S_IFREG|0644", "S_IFDIR|S_ISVTX|0777". */
    String fileMode(long mode) {
        String type = xlat.name("file_types", mode & 0170000);
        String special = xlat.flags("mode_bits", mode & 07000);
        StringBuilder s = new StringBuilder();
        if (type != null) s.append(type).append('|');
        else if ((mode & 0170000) != 0) s.append(mode(mode & 0170000)).append('|');
        if (!special.isEmpty()) s.append(special).append('|');
        return s.append(mode(mode & 0777)).toString();
    }

    private static String sizeOrRdev(long mode, long size, long major, long minor) {
        long type = mode & 0170000;
        if (type == 0020000 || type == 0060000) {
            return "st_rdev=makedev(0x" + Long.toHexString(major) + ", 0x" + Long.toHexString(minor) + ")";
        }
        return "st_size=" + size;
    }

    private static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    /** pipe2/socketpair's two new fds; with -y with their paths ([3<pipe:[123]>, 4<pipe:[123]>]). */
    private String pipe(int pid, long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 8, mem);
        if (b == null) return hex(addr);
        return "[" + (pid < 0 ? Integer.toString(b.getInt(0)) : fd(pid, b.getInt(0), mem)) + ", "
                + (pid < 0 ? Integer.toString(b.getInt(4)) : fd(pid, b.getInt(4), mem)) + "]";
    }

    private int dirents(long addr, long len, TraceeMemory mem) {
        int size = (int) Math.min(len, 65536);
        if (size <= 0) return 0;
        byte[] b = new byte[size];
        int n = mem.read(addr, b, 0, size);
        if (n <= 0) return 0;
        ByteBuffer bb = ByteBuffer.wrap(b, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        int count = 0;
        for (int off = 0; off + 18 < n; count++) {
            int reclen = bb.getShort(off + 16) & 0xffff;
            if (reclen == 0) break;
            off += reclen;
        }
        return count;
    }

    /** {@code {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}} and friends. */
    private String sockaddr(long addr, int len, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        if (len < 2) return hex(addr);
        int size = Math.min(len, 128);
        byte[] raw = new byte[size];
        int n = mem.read(addr, raw, 0, size);
        if (n < 2) return hex(addr);
        ByteBuffer b = ByteBuffer.wrap(raw, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        int family = b.getShort(0) & 0xffff;
        String fam = xlat.nameOr("address_families", family, " /* AF_??? */");
        if (family == 2 && n >= 8) {
            int port = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
            return "{sa_family=AF_INET, sin_port=htons(" + port + "), sin_addr=inet_addr(\""
                    + io.taskscope.text.InetText.ipv4(raw, 4) + "\")}";
        }
        if (family == 10 && n >= 24) {
            int port = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
            String ip = io.taskscope.text.InetText.ipv6(raw, 8);
            int flow = ByteBuffer.wrap(raw, 4, 4).order(ByteOrder.BIG_ENDIAN).getInt();
            int scope = n >= 28 ? b.getInt(24) : 0;
            return "{sa_family=AF_INET6, sin6_port=htons(" + port + "), sin6_flowinfo=htonl(" + flow
                    + "), inet_pton(AF_INET6, \"" + ip + "\", &sin6_addr), sin6_scope_id=" + scope + "}";
        }
        if (family == 1) {
            if (n <= 2) return "{sa_family=AF_UNIX}";
            boolean abstractName = raw[2] == 0 && n > 3;
            int start = abstractName ? 3 : 2, end = start;
            while (end < n && (abstractName || raw[end] != 0)) end++;
            String p = quote(java.util.Arrays.copyOfRange(raw, start, end), false);
            return "{sa_family=AF_UNIX, sun_path=" + (abstractName ? "@" + p : p) + "}";
        }
        return "{sa_family=" + fam + ", ...}";
    }
}
