package io.taskscope.decode;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SignalEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.linux.Errno;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * strace's text output, in one place: {@code [pid N] } prefix, timestamps ({@code -t}, {@code -tt},
 * {@code -ttt}), {@code name(args) = ret}, errno name and text on failure, {@code = ?} for calls cut
 * short, {@code <seconds>} with {@code -T}, and {@code +++ exited with N +++} lines.
 */
public final class StraceFormat {
    /** How {@code -t}, {@code -tt}, {@code -ttt} stamp each line. */
    public enum Timestamps { NONE, SECONDS, MICROS, EPOCH }

    private static final Set<String> HEX_RETURN = Set.of("mmap", "mremap", "brk", "shmat");

    /**
     * How lines name their thread, as strace's printleader does: with {@code -o FILE} and {@code -f} (or several
     * {@code -p}) every line starts with the tid in a column ("1234  "); with {@code -o FILE} otherwise never;
     * on stdout/stderr "[pid  1234] " while more than one thread is traced ({@link #pidPrefix(boolean)}).
     */
    public enum Framing { COLUMN, NONE, BRACKETS_WHEN_SEVERAL }

    private final Timestamps timestamps;
    private final boolean durations;
    private final ZoneId zone;
    private final Framing framing;
    private volatile boolean pidPrefix;
    private volatile boolean quietExit;

    public StraceFormat(Timestamps timestamps, boolean durations, boolean pidPrefix, ZoneId zone) {
        this(timestamps, durations, Framing.BRACKETS_WHEN_SEVERAL, zone);
        this.pidPrefix = pidPrefix;
    }

    public StraceFormat(Timestamps timestamps, boolean durations, Framing framing, ZoneId zone) {
        this.timestamps = timestamps;
        this.durations = durations;
        this.framing = framing;
        this.zone = zone;
    }

    /** The framing strace uses for this output: to a file ({@code -o}) with -f or several -p, or not; to a stream. */
    public static Framing framingFor(boolean toFile, boolean follow, int pids) {
        if (!toFile) return Framing.BRACKETS_WHEN_SEVERAL;
        return follow || pids > 1 ? Framing.COLUMN : Framing.NONE;
    }

    /** With {@link Framing#BRACKETS_WHEN_SEVERAL}: whether more than one thread is traced now. */
    public void pidPrefix(boolean on) {
        pidPrefix = on;
    }

    /** strace's -qq: no "+++ exited with N +++" / "+++ killed by SIG +++" lines. */
    public StraceFormat quietExit(boolean on) {
        quietExit = on;
        return this;
    }

    /** The line for an event (no newline), or empty when strace would print nothing for it. */
    public Optional<String> line(Event e) {
        if (e instanceof SyscallEvent s) return Optional.of(syscall(s));
        if (e instanceof ProcessEvent p && (p.kind() == ProcessEvent.Kind.EXIT || p.kind() == ProcessEvent.Kind.THREAD_EXIT)) {
            if (quietExit) return Optional.empty();
            StringBuilder b = start(p.timeNanos(), p.pid());
            if (p.signal() != null) b.append("+++ killed by ").append(p.signal()).append(" +++");
            else b.append("+++ exited with ").append(p.exitCode() == null ? 0 : p.exitCode()).append(" +++");
            return Optional.of(b.toString());
        }
        if (e instanceof SignalEvent sg) return Optional.of(signal(sg));
        return Optional.empty();
    }

    private static final Xlat SIGNAL_CODES = Xlat.of(io.taskscope.linux.Arch.current());

    /**
     * strace's signal lines: "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=7, si_uid=0} ---", for
     * SIGCHLD also si_status, si_utime and si_stime, for faults si_addr; "--- stopped by SIGSTOP ---".
     */
    public String signal(SignalEvent sg) {
        StringBuilder b = start(sg.timeNanos(), sg.tid());
        if (sg.kind() == SignalEvent.Kind.STOPPED) return b.append("--- stopped by ").append(sg.signal()).append(" ---").toString();
        return b.append("--- ").append(sg.signal()).append(' ').append(siginfo(sg)).append(" ---").toString();
    }

    /** A siginfo as strace prints it: "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=7, si_uid=0}". */
    static String siginfo(SignalEvent sg) {
        StringBuilder b = new StringBuilder(96);
        b.append("{si_signo=").append(sg.signal()).append(", si_code=").append(siCode(sg));
        if (sg.code() == -2 && sg.senderPid() != null) { // SI_TIMER
            b.append(", si_timerid=").append(sg.senderPid()).append(", si_overrun=").append(sg.senderUid());
        } else if (sg.senderPid() != null) {
            b.append(", si_pid=").append(sg.senderPid()).append(", si_uid=").append(sg.senderUid());
        }
        if ((sg.code() == -1 || sg.code() == -2) && sg.address() != null) { // SI_QUEUE, SI_TIMER: the sigval
            long v = sg.address();
            b.append(", si_int=").append((int) v).append(", si_ptr=").append(v == 0 ? "NULL" : "0x" + Long.toHexString(v));
            return b.append('}').toString();
        }
        if (sg.status() != null) {
            b.append(", si_status=").append(sg.code() == 1 ? sg.status().toString() : io.taskscope.linux.Signals.name(sg.status()));
            b.append(", si_utime=").append(clockTicks(sg.utime())).append(", si_stime=").append(clockTicks(sg.stime()));
        }
        if (sg.address() != null) b.append(", si_addr=").append(sg.address() == 0 ? "NULL" : "0x" + Long.toHexString(sg.address()));
        return b.append('}').toString();
    }

    /**
     * A clock_t as strace prints it (print_clock_t): the ticks, and when there are any, the seconds they make at
     * USER_HZ (100 on Linux, whatever the kernel's own HZ): "1 /* 0.01 s *&#47;". Unsigned: a waitid siginfo the
     * kernel did not fill shows whatever the tracee's buffer held, as in strace.
     */
    static String clockTicks(Long ticks) {
        if (ticks == null) return "0";
        long v = ticks;
        if (v == 0) return "0";
        long r = Long.remainderUnsigned(v, 100);
        return Long.toUnsignedString(v) + " /* " + Long.toUnsignedString(Long.divideUnsigned(v, 100)) + "."
                + (r < 10 ? "0" : "") + r + " s */";
    }

    private static String siCode(SignalEvent sg) {
        int code = sg.code();
        if (code <= 0 || code == 0x80) return SIGNAL_CODES.nameOr("si_codes", code & 0xffffffffL, "");
        String table = switch (sg.signal()) {
            case "SIGCHLD" -> "cld_codes";
            case "SIGSEGV" -> "segv_codes";
            case "SIGBUS" -> "bus_codes";
            case "SIGILL" -> "ill_codes";
            case "SIGFPE" -> "fpe_codes";
            case "SIGTRAP" -> "trap_codes";
            default -> null;
        };
        return table == null ? Integer.toString(code) : SIGNAL_CODES.nameOr(table, code, "");
    }

    public String syscall(SyscallEvent s) {
        StringBuilder b = start(s.timeNanos(), s.tid());
        b.append(s.syscall()).append('(');
        for (int i = 0; i < s.args().size(); i++) {
            if (i > 0) b.append(", ");
            b.append(s.args().get(i));
        }
        b.append(')');
        // strace starts "= ret" at column 40 when the call is shorter.
        if (b.length() < 39) b.append(" ".repeat(39 - b.length()));
        if (s.durationMicros() < 0) {
            b.append(" = ?");
            return b.toString();
        }
        b.append(" = ");
        if (s.errno() != null) {
            int n = Errno.byName(s.errno());
            b.append(s.errno().startsWith("ERESTART") || s.errno().equals("ENOIOCTLCMD") ? "? " : "-1 ")
                    .append(s.errno()).append(" (").append(n > 0 ? Errno.message(n) : s.errno()).append(')');
        } else if (HEX_RETURN.contains(s.syscall())) {
            b.append("0x").append(Long.toHexString(s.ret()));
        } else if (returnDetail(s, b)) {
            // fcntl's flags, umask's mode, poll's timeout: printed
        } else {
            b.append(s.ret());
            if (s.retPath() != null) b.append('<').append(s.retPath()).append('>'); // -y: = 3</etc/hostname>
            if (s.retDetail() != null) b.append(' ').append(s.retDetail()); // poll: = 1 ([{fd=5, revents=POLLIN}])
        }
        if (durations) {
            long us = s.durationMicros();
            b.append(String.format(Locale.ROOT, " <%d.%06d>", us / 1_000_000, us % 1_000_000));
        }
        return b.toString();
    }

    private static final Xlat XLAT = SIGNAL_CODES;

    /**
     * Return values strace decodes: fcntl F_GETFL/F_GETFD ({@code 0x8002 (flags O_RDWR|O_LARGEFILE)}), umask's
     * old mode in octal, poll's and select's {@code 0 (Timeout)}. Appends and returns true when it printed one.
     */
    static boolean returnDetail(SyscallEvent s, StringBuilder b) {
        long r = s.ret();
        switch (s.syscall()) {
            case "fcntl" -> {
                String cmd = s.args().size() > 1 ? s.args().get(1) : "";
                if (cmd.equals("F_GETFL")) {
                    String access = XLAT.nameOr("open_access", r & 3, "");
                    String rest = XLAT.flags("open_flags", r & 0xffffffffL & ~3L);
                    b.append(r == 0 ? "0" : "0x" + Long.toHexString(r)).append(" (flags ").append(access)
                            .append(rest.isEmpty() ? "" : "|" + rest).append(')');
                    return true;
                }
                if (cmd.equals("F_GETFD") && r != 0) {
                    b.append("0x").append(Long.toHexString(r)).append(" (flags ").append(XLAT.flagsOrZero("fdflags", r)).append(')');
                    return true;
                }
                return false;
            }
            case "umask" -> {
                b.append(Arguments.mode(r));
                return true;
            }
            case "poll", "ppoll", "select", "pselect6" -> {
                if (r != 0) return false;
                b.append("0 (Timeout)");
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private StringBuilder start(long epochNanos, int tid) {
        StringBuilder b = new StringBuilder(128);
        if (framing == Framing.COLUMN) {
            String t = Integer.toString(tid); // strace's "%-5d "
            b.append(t);
            for (int i = t.length(); i < 5; i++) b.append(' ');
            b.append(' ');
        } else if (framing == Framing.BRACKETS_WHEN_SEVERAL && pidPrefix) {
            String t = Integer.toString(tid); // strace's "[pid %5u] "
            b.append("[pid ");
            for (int i = t.length(); i < 5; i++) b.append(' ');
            b.append(t).append("] ");
        }
        switch (timestamps) {
            case NONE -> { }
            case SECONDS -> b.append(localTime(epochNanos).withNano(0)).append(' ');
            case MICROS -> {
                LocalTime t = localTime(epochNanos);
                b.append(String.format(Locale.ROOT, "%02d:%02d:%02d.%06d ", t.getHour(), t.getMinute(), t.getSecond(),
                        t.getNano() / 1000));
            }
            case EPOCH -> b.append(String.format(Locale.ROOT, "%d.%06d ", epochNanos / 1_000_000_000L,
                    (epochNanos % 1_000_000_000L) / 1000));
        }
        return b;
    }

    private LocalTime localTime(long epochNanos) {
        Instant i = Instant.ofEpochSecond(epochNanos / 1_000_000_000L, epochNanos % 1_000_000_000L);
        LocalTime t = LocalTime.ofInstant(i, zone);
        return t;
    }
}
