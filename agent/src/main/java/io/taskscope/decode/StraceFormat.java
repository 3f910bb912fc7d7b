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

    private final Timestamps timestamps;
    private final boolean durations;
    private final ZoneId zone;
    private volatile boolean pidPrefix;

    public StraceFormat(Timestamps timestamps, boolean durations, boolean pidPrefix, ZoneId zone) {
        this.timestamps = timestamps;
        this.durations = durations;
        this.pidPrefix = pidPrefix;
        this.zone = zone;
    }

    /** strace prefixes lines with the tid once it traces more than one thread; so do we. */
    public void pidPrefix(boolean on) {
        pidPrefix = on;
    }

    /** The line for an event (no newline), or empty when strace would print nothing for it. */
    public Optional<String> line(Event e) {
        if (e instanceof SyscallEvent s) return Optional.of(syscall(s));
        if (e instanceof ProcessEvent p && p.kind() == ProcessEvent.Kind.EXIT) {
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
        b.append("--- ").append(sg.signal()).append(" {si_signo=").append(sg.signal()).append(", si_code=").append(siCode(sg));
        if (sg.senderPid() != null) b.append(", si_pid=").append(sg.senderPid()).append(", si_uid=").append(sg.senderUid());
        if (sg.status() != null) {
            b.append(", si_status=").append(sg.code() == 1 ? sg.status().toString() : io.taskscope.linux.Signals.name(sg.status()));
            b.append(", si_utime=").append(sg.utime()).append(", si_stime=").append(sg.stime());
        }
        if (sg.address() != null) b.append(", si_addr=").append(sg.address() == 0 ? "NULL" : "0x" + Long.toHexString(sg.address()));
        return b.append("} ---").toString();
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
        } else {
            b.append(s.ret());
            if (s.retPath() != null) b.append('<').append(s.retPath()).append('>'); // -y: = 3</etc/hostname>
        }
        if (durations) {
            long us = s.durationMicros();
            b.append(String.format(Locale.ROOT, " <%d.%06d>", us / 1_000_000, us % 1_000_000));
        }
        return b.toString();
    }

    private StringBuilder start(long epochNanos, int tid) {
        StringBuilder b = new StringBuilder(128);
        if (pidPrefix) b.append(String.format(Locale.ROOT, "[pid %5d] ", tid));
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
