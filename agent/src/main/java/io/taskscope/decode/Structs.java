package io.taskscope.decode;

import io.taskscope.linux.Arch;
import io.taskscope.linux.Signals;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The structs and small pointers strace dereferences beyond stat and sockaddr: signal sets and actions, wait
 * statuses, rlimits, pollfds, sysinfo, utsname, timespec pairs, sigaltstack, struct flock, clone arguments and
 * futex calls. Every printer takes the tracee's memory and prints the address when it cannot be read, as strace
 * does. Layouts are those of the 64-bit ABIs (x86_64 and aarch64 share them here unless noted).
 */
final class Structs {
    private final Xlat xlat;
    private final boolean x86;
    private final ZoneId zone;

    Structs(Xlat xlat, Arch arch, ZoneId zone) {
        this.xlat = xlat;
        this.x86 = arch == Arch.X86_64;
        this.zone = zone;
    }

    // ---------------------------------------------------------------- memory

    static ByteBuffer struct(long addr, int size, TraceeMemory mem) {
        if (addr == 0) return null;
        byte[] b = new byte[size];
        int n = mem.read(addr, b, 0, size);
        return n == size ? ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN) : null;
    }

    static String ptr(long v) {
        return v == 0 ? "NULL" : "0x" + Long.toHexString(v);
    }

    /** strace's printnum_int: [N], NULL, or the address when unreadable. */
    static String intAt(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 4, mem);
        return addr == 0 ? "NULL" : b == null ? ptr(addr) : "[" + b.getInt(0) + "]";
    }

    /** An int array: [0, 27] (getgroups); the address when unreadable. At most 1024 are read. */
    static String ints(long addr, long n, TraceeMemory mem) {
        int count = (int) Math.min(Math.max(n, 0), 1024);
        ByteBuffer b = count == 0 ? ByteBuffer.allocate(0) : struct(addr, count * 4, mem);
        if (b == null) return ptr(addr);
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < count; i++) s.append(i > 0 ? ", " : "").append(Integer.toUnsignedString(b.getInt(i * 4)));
        return s.append(']').toString();
    }

    // ---------------------------------------------------------------- signals

    /** strace's sprintsigmask_n: "[INT QUIT]", "~[RTMIN RT_1]" when two thirds or more of the bits are set. */
    static String sigset(long mask, int bytes) {
        int bits = Math.min(bytes, 8) * 8;
        long valid = bits == 64 ? -1L : (1L << bits) - 1;
        long m = mask & valid;
        StringBuilder s = new StringBuilder();
        if (Long.bitCount(m) >= bits * 2 / 3) {
            m = ~m & valid;
            s.append('~');
        }
        s.append('[');
        boolean first = true;
        for (int i = 0; i < bits; i++) {
            if ((m & (1L << i)) == 0) continue;
            if (!first) s.append(' ');
            first = false;
            int sig = i + 1;
            if (sig < 32) s.append(Signals.name(sig).substring(3));
            else if (sig == 32) s.append("RTMIN");
            else s.append("RT_").append(sig - 32);
        }
        return s.append(']').toString();
    }

    /** A sigset behind a pointer, {@code len} bytes (rt_sigprocmask's last argument): strace prints the address for a bad length. */
    static String sigsetAt(long addr, long len, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        if (len < 8 || len > 8) return ptr(addr);
        ByteBuffer b = struct(addr, 8, mem);
        return b == null ? ptr(addr) : sigset(b.getLong(0), 8);
    }

    /** {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f...}. */
    String sigaction(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 32, mem);
        if (addr == 0) return "NULL";
        if (b == null) return ptr(addr);
        long handler = b.getLong(0), flags = b.getLong(8), restorer = b.getLong(16), mask = b.getLong(24);
        String h = xlat.name("sa_handlers", handler);
        StringBuilder s = new StringBuilder("{sa_handler=").append(h != null ? h : ptr(handler))
                .append(", sa_mask=").append(sigset(mask, 8))
                .append(", sa_flags=").append(xlat.flagsOrZero("sigaction_flags", flags));
        if ((flags & 0x04000000L) != 0) s.append(", sa_restorer=").append(ptr(restorer));
        return s.append('}').toString();
    }

    /**
     * rt_sigreturn's {mask=[...]}: the ucontext's signal mask in the signal frame at the stack pointer, where strace's
     * arch_sigreturn reads it. x86_64: sp + 296 at the call (the frame's return address was popped); aarch64: sp +
     * 128 (siginfo) + 40 (uc_flags, uc_link, uc_stack before uc_sigmask).
     */
    String sigreturnMask(long sp, TraceeMemory mem) {
        if (sp == 0) return null;
        ByteBuffer b = struct(sp + (x86 ? 296 : 168), 8, mem);
        return b == null ? null : "{mask=" + sigset(b.getLong(0), 8) + "}";
    }


    // ---------------------------------------------------------------- resources and system

    /** strace's print_rlim64_t: RLIM64_INFINITY, 8192*1024, or the number. */
    static String rlim(long v) {
        if (v == -1L) return "RLIM64_INFINITY";
        if (Long.compareUnsigned(v, 1024) > 0 && v % 1024 == 0) return Long.toUnsignedString(v / 1024) + "*1024";
        return Long.toUnsignedString(v);
    }

    static String rlimit(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        ByteBuffer b = struct(addr, 16, mem);
        return b == null ? ptr(addr) : "{rlim_cur=" + rlim(b.getLong(0)) + ", rlim_max=" + rlim(b.getLong(8)) + "}";
    }

    static String sysinfo(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 112, mem);
        if (b == null) return ptr(addr);
        return "{uptime=" + b.getLong(0) + ", loads=[" + Long.toUnsignedString(b.getLong(8)) + ", "
                + Long.toUnsignedString(b.getLong(16)) + ", " + Long.toUnsignedString(b.getLong(24)) + "], totalram="
                + Long.toUnsignedString(b.getLong(32)) + ", freeram=" + Long.toUnsignedString(b.getLong(40))
                + ", sharedram=" + Long.toUnsignedString(b.getLong(48)) + ", bufferram=" + Long.toUnsignedString(b.getLong(56))
                + ", totalswap=" + Long.toUnsignedString(b.getLong(64)) + ", freeswap=" + Long.toUnsignedString(b.getLong(72))
                + ", procs=" + (b.getShort(80) & 0xffff) + ", totalhigh=" + Long.toUnsignedString(b.getLong(88))
                + ", freehigh=" + Long.toUnsignedString(b.getLong(96)) + ", mem_unit=" + Integer.toUnsignedString(b.getInt(104)) + "}";
    }

    /** {sysname="Linux", nodename="vm", ...}: strace's abbreviated struct utsname. */
    static String utsname(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 130, mem);
        if (b == null) return ptr(addr);
        return "{sysname=" + field(b, 0, 65) + ", nodename=" + field(b, 65, 65) + ", ...}";
    }

    private static String field(ByteBuffer b, int off, int max) {
        int end = off;
        while (end < off + max && b.get(end) != 0) end++;
        byte[] s = new byte[end - off];
        b.get(off, s);
        return Strings.quote(s, false);
    }

    /** sched_getaffinity's CPU set: [0 1], {@code bytes} long (the return value). */
    static String cpuSet(long addr, long bytes, TraceeMemory mem) {
        int n = (int) Math.min(Math.max(bytes, 0), 1024);
        byte[] b = new byte[n];
        if (n == 0 || mem.read(addr, b, 0, n) != n) return ptr(addr);
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n * 8; i++) {
            if ((b[i / 8] & (1 << (i % 8))) == 0) continue;
            if (s.length() > 1) s.append(' ');
            s.append(i);
        }
        return s.append(']').toString();
    }

    /** {ss_sp=0x7f..., ss_flags=0, ss_size=65536}. */
    static String stack(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        ByteBuffer b = struct(addr, 24, mem);
        if (b == null) return ptr(addr);
        int flags = b.getInt(8);
        String f = flags == 0 ? "0" : (flags & 1) != 0 ? "SS_ONSTACK" : (flags & 2) != 0 ? "SS_DISABLE" : "0x" + Integer.toHexString(flags);
        return "{ss_sp=" + ptr(b.getLong(0)) + ", ss_flags=" + f + ", ss_size=" + Long.toUnsignedString(b.getLong(16)) + "}";
    }

    // ---------------------------------------------------------------- time

    /** utimensat's [UTIME_OMIT, {tv_sec=..., tv_nsec=...} /* 2013-10-23T12:41:22+0000 *&#47;] (NULL: now). */
    String timespecPair(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        ByteBuffer b = struct(addr, 32, mem);
        if (b == null) return ptr(addr);
        return "[" + utimeSpec(b.getLong(0), b.getLong(8)) + ", " + utimeSpec(b.getLong(16), b.getLong(24)) + "]";
    }

    private String utimeSpec(long sec, long nsec) {
        if (nsec == (1L << 30) - 1) return "UTIME_NOW";
        if (nsec == (1L << 30) - 2) return "UTIME_OMIT";
        return "{tv_sec=" + sec + ", tv_nsec=" + nsec + "}" + dateComment(sec, nsec);
    }

    /** strace's sprinttime_nsec: " /* 2013-10-23T12:41:22+0000 *&#47;", with .nnnnnnnnn when the nanoseconds are not 0. */
    String dateComment(long sec, long nsec) {
        if (nsec < 0 || nsec >= 1_000_000_000L) return "";
        ZonedDateTime t;
        try {
            t = Instant.ofEpochSecond(sec).atZone(zone);
        } catch (java.time.DateTimeException e) {
            return "";
        }
        int off = t.getOffset().getTotalSeconds() / 60;
        StringBuilder s = new StringBuilder(" /* ").append(t.getYear()).append('-').append(two(t.getMonthValue())).append('-')
                .append(two(t.getDayOfMonth())).append('T').append(two(t.getHour())).append(':').append(two(t.getMinute()))
                .append(':').append(two(t.getSecond()));
        if (nsec != 0) {
            String n = Long.toString(nsec);
            s.append('.').append("0".repeat(9 - n.length())).append(n);
        }
        s.append(off < 0 ? '-' : '+').append(two(Math.abs(off) / 60)).append(two(Math.abs(off) % 60));
        return s.append(" */").toString();
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    /** {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=50000000}}. */
    static String itimerspec(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        ByteBuffer b = struct(addr, 32, mem);
        return b == null ? ptr(addr) : "{it_interval={tv_sec=" + b.getLong(0) + ", tv_nsec=" + b.getLong(8)
                + "}, it_value={tv_sec=" + b.getLong(16) + ", tv_nsec=" + b.getLong(24) + "}}";
    }

    private static final String[] SIGEV_NOTIFY = {"SIGEV_SIGNAL", "SIGEV_NONE", "SIGEV_THREAD"};

    /** timer_create's {sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}. */
    String sigevent(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        ByteBuffer b = struct(addr, 64, mem);
        if (b == null) return ptr(addr);
        long value = b.getLong(0);
        int signo = b.getInt(8), notify = b.getInt(12);
        StringBuilder s = new StringBuilder("{");
        if (value != 0) s.append("sigev_value={sival_int=").append((int) value).append(", sival_ptr=").append(ptr(value)).append("}, ");
        s.append("sigev_signo=").append(signal(signo)).append(", sigev_notify=");
        if (notify >= 0 && notify < SIGEV_NOTIFY.length) s.append(SIGEV_NOTIFY[notify]);
        else if (notify == 4) s.append("SIGEV_THREAD_ID, sigev_notify_thread_id=").append(b.getInt(16));
        else s.append(notify);
        return s.append('}').toString();
    }

    static String timespec(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        ByteBuffer b = struct(addr, 16, mem);
        return b == null ? ptr(addr) : "{tv_sec=" + b.getLong(0) + ", tv_nsec=" + b.getLong(8) + "}";
    }

    // ---------------------------------------------------------------- descriptors

    /** poll's input: [{fd=3, events=POLLIN}, ...] (with -y the fds' paths, {@code fdText}); its output: revents. */
    String pollfds(long addr, long nfds, TraceeMemory mem, boolean revents, java.util.function.IntFunction<String> fdText) {
        if (addr == 0) return "NULL";
        int n = (int) Math.min(Math.max(nfds, 0), 1024);
        ByteBuffer b = struct(addr, Math.max(n, 1) * 8, mem);
        if (b == null) return ptr(addr);
        StringBuilder s = new StringBuilder("[");
        boolean any = false;
        for (int i = 0; i < n; i++) {
            int fd = b.getInt(i * 8);
            int ev = b.getShort(i * 8 + (revents ? 6 : 4)) & 0xffff;
            if (revents && (ev == 0 || fd < 0)) continue;
            if (any) s.append(", ");
            any = true;
            s.append("{fd=").append(fdText != null ? fdText.apply(fd) : Integer.toString(fd)).append(revents ? ", revents=" : ", events=").append(xlat.flagsOrZero("poll_events", ev)).append('}');
        }
        return s.append(']').toString();
    }

    /** struct flock for F_GETLK/F_SETLK/F_SETLKW: {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0}. */
    String flock(long addr, TraceeMemory mem, boolean withPid) {
        ByteBuffer b = struct(addr, 32, mem);
        if (b == null) return ptr(addr);
        StringBuilder s = new StringBuilder("{l_type=").append(xlat.nameOr("flock_types", b.getShort(0) & 0xffff, " /* F_??? */"))
                .append(", l_whence=").append(xlat.nameOr("seek_whence", b.getShort(2) & 0xffff, " /* SEEK_??? */"))
                .append(", l_start=").append(b.getLong(8)).append(", l_len=").append(b.getLong(16));
        if (withPid) s.append(", l_pid=").append(b.getInt(24));
        return s.append('}').toString();
    }

    static String signal(int sig) {
        return sig == 0 ? "0" : Signals.name(sig);
    }
}
