package io.taskscope.decode;

import io.taskscope.linux.Signals;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One argument of a call as strace prints it, by its {@link ArgKind}: {@link SyscallDecoder} walks a call's
 * signature and asks this class for each argument's text. The kinds are grouped in one method per family (numbers,
 * strings and buffers, flags, files and I/O, sockets, signals, processes and time), each calling the printers of
 * {@link Strings}, {@link FileStructs}, {@link IoStructs}, {@link NetStructs}, {@link Structs} and {@link
 * ProcessStructs}. The split is also what makes the first stops fast: the JIT compiles a family's method when
 * calls use it, in a few milliseconds, where one switch over every kind took the only compiler thread ~100 ms of a
 * CPU that the tracer and its tracee were waiting for (measured at the first stops of `trace` on a 2-vCPU VM).
 */
final class Arguments {
    /** The call being decoded: what every argument's text may depend on ({@code ok}: finished and not failed). */
    static final class Call {
        final int pid;
        final long nr;
        final long[] args;
        final long rval;
        final boolean ok, finished, failed;
        final TraceeMemory mem;
        final ArgKind[] sig;

        Call(int pid, long nr, long[] args, long rval, boolean ok, boolean finished, boolean failed, TraceeMemory mem,
             ArgKind[] sig) {
            this.pid = pid;
            this.nr = nr;
            this.args = args;
            this.rval = rval;
            this.ok = ok;
            this.finished = finished;
            this.failed = failed;
            this.mem = mem;
            this.sig = sig;
        }
    }

    private static final int AT_FDCWD = -100;

    private final Xlat xlat;
    private final boolean decodeFds;
    private final String[][] argTables;
    private final int wait4;
    private final Strings strings;
    private final Structs structs;
    private final FileStructs files;
    private final IoStructs io;
    private final NetStructs net;
    private final ProcessStructs procs;

    Arguments(Xlat xlat, boolean decodeFds, String[][] argTables, int wait4, Strings strings, Structs structs,
              FileStructs files, IoStructs io, NetStructs net, ProcessStructs procs) {
        this.xlat = xlat;
        this.decodeFds = decodeFds;
        this.argTables = argTables;
        this.wait4 = wait4;
        this.strings = strings;
        this.structs = structs;
        this.files = files;
        this.io = io;
        this.net = net;
        this.procs = procs;
    }

    /** Argument {@code i} of the call, of kind {@code k}; null when strace prints nothing for it. PATH is the caller's. */
    String text(ArgKind k, int i, Call c) {
        return switch (k) {
            case FD, DIRFD, INT, UINT, LONG, SIZE, HEX, PTR, MODE, OMODE -> scalar(k, i, c);
            case STR, OUTPATH, RBUF, WBUF, HEXBUF, ARGV, ENVP, INTPTR, OPTVAL -> memoryArg(k, i, c);
            case OFLAGS, ATFLAGS, STATXFLAGS, STATXMASK, ACCMODE, FACCESSFLAGS, UNLINKFLAGS, RENAMEFLAGS, FDFLAGS, WHENCE, FCNTLCMD, FLAGS, CONST, MMAPPROT, MMAPFLAGS, CLOCKID, TIMERFLAGS -> flagArg(k, i, c);
            case STAT, STATX, STATFS, FCNTLARG, PIPEFD, DENTS, IOCTLARG, UTIMENS, POLLFDS, IOV, RIOV, EPOLLEVENT, EPOLLEVENTS -> fileArg(k, i, c);
            case FAMILY, SOCKTYPE, SOCKFLAGS, MSGFLAGS, SHUT, SOCKOPT, SOCKPROTO, SOCKADDR, SOCKADDROUT, SOCKLEN, MSGHDR, RMSGHDR -> netArg(k, i, c);
            case SIGSET, OSIGSET, SIGACTION, OSIGACTION, SIGRETURN, SIGNAL, STACK, OSTACK, SIGEVENT -> signalArg(k, i, c);
            case RLIMIT, ORLIMIT, WAITSTATUS, SIGINFO, CLONE3, SYSINFO, UTSNAME, CPUSET, REMTIMESPEC, ITIMERSPEC, OITIMERSPEC, GIDS, TIMESPEC, RUSAGE, ARCHPRCTLARG -> processArg(k, i, c);
            default -> hex(c.args[i]);
        };
    }

    /** Numbers and fds: the arguments most calls have. */
    private String scalar(ArgKind k, int i, Call c) {
        final long v = c.args[i];
        String s;
        switch (k) {
            case FD -> s = c.pid < 0 ? Integer.toString((int) v) : fd(c.pid, (int) v, c.mem);
            case DIRFD -> s = (int) v == AT_FDCWD ? atFdcwd(c.pid, c.mem) : fd(c.pid, (int) v, c.mem);
            case INT -> s = Integer.toString((int) v);
            case UINT -> s = Integer.toUnsignedString((int) v);
            case LONG -> s = Long.toString(v);
            case SIZE -> s = Long.toUnsignedString(v);
            case HEX -> s = hex(v);
            case PTR -> s = ptr(v);
            case MODE -> s = mode(v);
            case OMODE -> {
                long of = i > 0 ? c.args[i - 1] : 0;
                if ((of & 0100) == 0 && (of & 020000000) == 0) return null; // mode matters only with O_CREAT/O_TMPFILE
                s = mode(v);
            }
            default -> s = hex(v);
        }
        return s;
    }

    /** Strings and buffers read from the tracee. */
    private String memoryArg(ArgKind k, int i, Call c) {
        final long v = c.args[i];
        String s;
        switch (k) {
            case STR -> s = strings.string(v, c.mem);
            case OUTPATH -> {
                String raw = c.ok ? strings.cString(v, Strings.PATH_MAX, c.mem) : null;
                s = raw == null ? ptr(v) : Strings.quote(raw.getBytes(StandardCharsets.ISO_8859_1), false);
            }
            case RBUF -> s = c.ok ? strings.buffer(v, c.rval, c.mem) : ptr(v);
            case WBUF -> s = strings.buffer(v, i + 1 < 6 ? c.args[i + 1] : 0, c.mem);
            case HEXBUF -> s = c.ok ? strings.hexBuffer(v, c.rval, c.mem) : ptr(v);
            case ARGV -> s = strings.argv(v, c.mem);
            case ENVP -> s = strings.envp(v, c.mem);
            case INTPTR -> s = intPointer(v, c.mem);
            case OPTVAL -> s = i + 1 < 6 && c.args[i + 1] == 4 ? intPointer(v, c.mem) : ptr(v);
            default -> s = hex(v);
        }
        return s;
    }

    /** Flag sets and named constants (xlat tables). */
    private String flagArg(ArgKind k, int i, Call c) {
        final long v = c.args[i];
        String s;
        switch (k) {
            case OFLAGS -> s = openFlags(v); // the caller keeps it as the call's flags
            case ATFLAGS -> s = xlat.flagsOrZero("at_flags", v & 0xffffffffL);
            case STATXFLAGS -> {
                String f = xlat.flags("statx_flags", v & 0xffffffffL);
                s = (v & 0x6000) == 0 ? "AT_STATX_SYNC_AS_STAT" + (f.isEmpty() ? "" : "|" + f) : f;
            }
            case STATXMASK -> s = xlat.flagsOrZero("statx_mask", v & 0xffffffffL);
            case ACCMODE -> s = (v & 7) == 0 ? "F_OK" : xlat.flags("access_modes", v & 0xffffffffL); // and this
            case FACCESSFLAGS -> s = xlat.flagsOrZero("faccessat_flags", v & 0xffffffffL);
            case UNLINKFLAGS -> s = xlat.flagsOrZero("unlinkat_flags", v & 0xffffffffL);
            case RENAMEFLAGS -> s = xlat.flagsOrZero("rename_flags", v & 0xffffffffL);
            case FDFLAGS -> s = xlat.flagsOrZero("fd_flags", v & 0xffffffffL);
            case WHENCE -> s = xlat.nameOr("seek_whence", v & 0xffffffffL, " /* SEEK_??? */");
            case FCNTLCMD -> s = xlat.nameOr("fcntl_cmds", v & 0xffffffffL, " /* F_??? */");
            case FLAGS -> s = xlat.flagsOrZero(argTables[(int) c.nr][i], v & 0xffffffffL);
            case CONST -> s = xlat.nameOr(argTables[(int) c.nr][i], v & 0xffffffffL, "");
            case MMAPPROT -> s = v == 0 ? "PROT_NONE" : xlat.flags("mmap_prot", v & 0xffffffffL);
            case MMAPFLAGS -> {
                String type = xlat.nameOr("mmap_type", v & 0xf, "");
                String f = xlat.flags("mmap_flags", v & 0xffffffffL & ~0xfL);
                s = f.isEmpty() ? type : type + "|" + f;
            }
            case CLOCKID -> s = xlat.nameOr("clocks", v & 0xffffffffL, "");
            case TIMERFLAGS -> s = xlat.flagsOrZero("timer_flags", v & 0xffffffffL);
            default -> s = hex(v);
        }
        return s;
    }

    /** File and I/O structures: stat, fcntl and ioctl arguments, pipes, directory entries, poll, iovecs, epoll. */
    private String fileArg(ArgKind k, int i, Call c) {
        final long v = c.args[i];
        String s;
        switch (k) {
            case STAT -> s = c.ok ? files.stat(v, c.mem) : ptr(v);
            case STATX -> s = c.ok ? files.statx(v, c.mem) : ptr(v);
            case STATFS -> s = c.ok ? files.statfs(v, c.mem) : ptr(v);
            case FCNTLARG -> {
                int cmd = (int) c.args[1];
                if (cmd == 1 || cmd == 3 || cmd == 9 || cmd == 1025 || cmd == 1032 || cmd == 1034) return null;
                s = switch (cmd) {
                    case 2 -> xlat.flagsOrZero("fdflags", v);
                    case 4 -> openFlags(v);
                    case 6, 7, 37, 38 -> structs.flock(v, c.mem, false);
                    case 5, 36 -> c.ok ? structs.flock(v, c.mem, true) : ptr(v);
                    case 0, 1030, 1031, 8, 1024 -> Integer.toString((int) v);
                    default -> ptr(v);
                };
            }
            case PIPEFD -> s = c.ok ? pipe(c.pid, v, c.mem) : ptr(v);
            case DENTS -> s = c.ok ? ptr(v) + " /* " + FileStructs.dirents(v, c.rval, c.mem) + " entries */" : ptr(v);
            case IOCTLARG -> {
                long req = c.args[1] & 0xffffffffL;
                if (req == 0x5451 || req == 0x5450) return null; // FIOCLEX, FIONCLEX take no argument
                boolean intIn = req == 0x5421 || req == 0x5452 || req == 0x5410 || req == 0x40045431L;
                boolean intOut = req == 0x541b || req == 0x540f || req == 0x80045430L;
                // FICLONE takes the source fd itself; strace prints it as a number
                s = intIn ? intPointer(v, c.mem) : intOut ? (c.ok ? intPointer(v, c.mem) : ptr(v))
                        : req == 0x40049409L ? Integer.toString((int) v) : hex(v);
            }
            case UTIMENS -> s = structs.timespecPair(v, c.mem);
            case POLLFDS -> s = structs.pollfds(v, i < 5 ? c.args[i + 1] : 0, c.mem, false,
                    decodeFds && c.pid >= 0 ? fd -> fd(c.pid, fd, c.mem) : null);
            case IOV -> s = io.iovec(v, i + 1 < 6 ? c.args[i + 1] : 0, -1, true, c.mem);
            case RIOV -> s = c.finished ? io.iovec(v, i + 1 < 6 ? c.args[i + 1] : 0, c.ok ? c.rval : 0, c.ok, c.mem) : ptr(v);
            case EPOLLEVENT -> s = (int) c.args[1] == 2 || v == 0 ? ptr(v) : io.epollEvent(v, c.mem); // EPOLL_CTL_DEL
            case EPOLLEVENTS -> s = c.ok ? io.epollEvents(v, c.rval, c.mem) : ptr(v);
            default -> s = hex(v);
        }
        return s;
    }

    /** Sockets: families, types, options, addresses, messages. */
    private String netArg(ArgKind k, int i, Call c) {
        final long v = c.args[i];
        String s;
        switch (k) {
            case FAMILY -> s = xlat.nameOr("address_families", v & 0xffffffffL, " /* AF_??? */");
            case SOCKTYPE -> {
                String type = xlat.nameOr("socket_types", v & 0xf, " /* SOCK_??? */");
                String f = xlat.flags("socket_flags", v & 0xffffffffL & ~0xfL);
                s = f.isEmpty() ? type : type + "|" + f;
            }
            case SOCKFLAGS -> s = xlat.flagsOrZero("socket_flags", v & 0xffffffffL);
            case MSGFLAGS -> s = xlat.flagsOrZero("msg_flags", v & 0xffffffffL);
            case SHUT -> s = xlat.nameOr("shutdown_modes", v & 0xffffffffL, " /* SHUT_??? */");
            case SOCKOPT -> {
                long level = i > 0 ? c.args[i - 1] & 0xffffffffL : -1;
                String t = level == 1 ? "sockopt_socket" : level == 6 ? "sockopt_tcp" : null;
                s = t == null ? Integer.toString((int) v) : xlat.nameOr(t, v & 0xffffffffL, "");
            }
            case SOCKPROTO -> {
                long family = c.args[0] & 0xffffffffL;
                s = family == 2 || family == 10 ? xlat.nameOr("ip_protocols", v & 0xffffffffL, "") : Integer.toString((int) v);
            }
            case SOCKADDR -> s = net.sockaddr(v, i + 1 < 6 ? (int) c.args[i + 1] : 0, c.mem);
            case SOCKADDROUT -> {
                if (v == 0) s = "NULL";
                else if (!c.ok) s = ptr(v);
                else {
                    int len = i + 1 < 6 && c.args[i + 1] != 0 ? readInt(c.args[i + 1], c.mem) : 0;
                    s = net.sockaddr(v, len, c.mem);
                }
            }
            case SOCKLEN -> s = v == 0 ? "NULL" : !c.finished || c.ok ? Structs.intAt(v, c.mem) : ptr(v);
            case MSGHDR -> s = v == 0 ? "NULL" : net.msghdr(v, -1, -1, fdText(c.pid, c.mem), c.mem);
            case RMSGHDR -> {
                long n = c.finished || v == 0 ? Long.MIN_VALUE : NetStructs.namelen(v, c.mem);
                if (!c.finished) s = n == Long.MIN_VALUE ? ptr(v) : "{msg_namelen=" + n + "}"; // what a failed call prints
                else if (!c.ok) s = ptr(v);
                else s = v == 0 ? "NULL" : net.msghdr(v, -1, c.rval, fdText(c.pid, c.mem), c.mem);
            }
            default -> s = hex(v);
        }
        return s;
    }

    /** Signals: sets, actions, the sigreturn mask, alternate stacks, sigevents. */
    private String signalArg(ArgKind k, int i, Call c) {
        final long v = c.args[i];
        String s;
        switch (k) {
            case SIGSET -> s = Structs.sigsetAt(v, sizeArg(c.sig, c.args), c.mem);
            case OSIGSET -> s = c.ok || v == 0 ? Structs.sigsetAt(v, sizeArg(c.sig, c.args), c.mem) : ptr(v);
            case SIGACTION -> s = structs.sigaction(v, c.mem);
            case OSIGACTION -> s = c.ok || v == 0 ? structs.sigaction(v, c.mem) : ptr(v);
            case SIGRETURN -> {
                String m = structs.sigreturnMask(c.mem.stackPointer(), c.mem);
                if (m == null) return null;
                s = m;
            }
            case SIGNAL -> {
                int sig2 = (int) v;
                s = sig2 == 0 ? "0" : Signals.name(sig2);
            }
            case STACK -> s = Structs.stack(v, c.mem);
            case OSTACK -> s = c.ok || v == 0 ? Structs.stack(v, c.mem) : ptr(v);
            case SIGEVENT -> s = structs.sigevent(v, c.mem);
            default -> s = hex(v);
        }
        return s;
    }

    /** Processes and time: limits, wait statuses, clone3, system info, CPU sets, timers, groups, rusage. */
    private String processArg(ArgKind k, int i, Call c) {
        final long v = c.args[i];
        String s;
        switch (k) {
            case RLIMIT -> s = Structs.rlimit(v, c.mem);
            case ORLIMIT -> s = c.ok || v == 0 ? Structs.rlimit(v, c.mem) : ptr(v);
            case SIGINFO -> s = c.ok ? ProcessStructs.siginfo(v, c.mem) : ptr(v);
            case WAITSTATUS -> {
                ByteBuffer b = c.ok && c.rval > 0 ? Structs.struct(v, 4, c.mem) : null;
                s = b == null ? ptr(v) : ProcessStructs.waitStatus(b.getInt(0));
            }
            case CLONE3 -> s = procs.cloneArgs(v, c.args[1], c.ok, c.mem);
            case SYSINFO -> s = c.ok ? Structs.sysinfo(v, c.mem) : ptr(v);
            case UTSNAME -> s = c.ok ? Structs.utsname(v, c.mem) : ptr(v);
            case CPUSET -> s = c.ok ? Structs.cpuSet(v, c.rval, c.mem) : ptr(v);
            case REMTIMESPEC -> {
                long err = c.failed ? -c.rval : 0;
                boolean interrupted = err == 4 || err == 512 || err == 513 || err == 514 || err == 516;
                s = v != 0 && c.finished && interrupted ? Structs.timespec(v, c.mem) : ptr(v);
            }
            case ITIMERSPEC -> s = Structs.itimerspec(v, c.mem);
            case OITIMERSPEC -> s = c.ok || v == 0 ? Structs.itimerspec(v, c.mem) : ptr(v);
            case GIDS -> s = c.ok && v != 0 ? Structs.ints(v, Math.min(c.rval, c.args[0] & 0xffffffffL), c.mem) : ptr(v);
            case TIMESPEC -> {
                ByteBuffer b = v == 0 ? null : Structs.struct(v, 16, c.mem);
                s = v == 0 ? "NULL" : b == null ? hex(v) : "{tv_sec=" + b.getLong(0) + ", tv_nsec=" + b.getLong(8) + "}";
            }
            case RUSAGE -> s = c.ok && (c.nr != wait4 || c.rval > 0) ? ProcessStructs.rusage(v, c.mem) : ptr(v);
            case ARCHPRCTLARG -> {
                s = ProcessStructs.archPrctlArg(c.args[0], v, c.ok, c.mem);
                if (s == null) return null;
            }
            default -> s = hex(v);
        }
        return s;
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

    static String escapeFdPath(String p) {
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
    java.util.function.IntFunction<String> fdText(int pid, TraceeMemory mem) {
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
