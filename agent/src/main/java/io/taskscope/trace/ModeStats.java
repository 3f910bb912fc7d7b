package io.taskscope.trace;

/**
 * A traced process's mode and what syscall mode has cost it, kept up to date by the tracer thread and read by
 * anyone (a budget, {@code ps}, metrics) without a request: racy but never torn (volatile fields).
 */
public final class ModeStats {
    private volatile TraceMode mode;
    private volatile boolean escalated;
    private volatile String reason;
    private volatile long syscallStops;
    private volatile long syscallNanos;   // closed spells in syscall mode
    private volatile long syscallSince;   // start of the current spell (System.nanoTime), 0 when in lifecycle
    private final long tracedSince;

    ModeStats(TraceMode mode, long now) {
        this.tracedSince = now;
        this.mode = TraceMode.LIFECYCLE;
        set(mode, false, null, now);
    }

    void set(TraceMode m, boolean esc, String why, long now) {
        if (m == TraceMode.SYSCALL && syscallSince == 0) syscallSince = now;
        if (m == TraceMode.LIFECYCLE && syscallSince != 0) {
            syscallNanos += now - syscallSince;
            syscallSince = 0;
        }
        mode = m;
        escalated = esc;
        reason = why;
    }

    void countStop() {
        syscallStops++; // tracer thread only: the read-increment-write is not contended
    }

    public TraceMode mode() {
        return mode;
    }

    public boolean escalated() {
        return escalated;
    }

    public String reason() {
        return reason;
    }

    /** Syscall stops (entry and exit) seen while in syscall mode. */
    public long syscallStops() {
        return syscallStops;
    }

    /** Nanoseconds spent in syscall mode up to {@code now} (System.nanoTime). */
    public long syscallNanos(long now) {
        long since = syscallSince;
        return syscallNanos + (since != 0 ? Math.max(0, now - since) : 0);
    }

    /** Fraction of the traced time spent in syscall mode: what share of the process's calls a stream can show. */
    public double coverage(long now) {
        long total = now - tracedSince;
        return total <= 0 ? (mode == TraceMode.SYSCALL ? 1 : 0) : Math.min(1.0, (double) syscallNanos(now) / total);
    }
}
