package io.taskscope.trace;

import static io.taskscope.linux.Ptrace.PTRACE_INTERRUPT;

import io.taskscope.decode.SyscallTable;
import io.taskscope.trace.ModePolicy.Context;
import io.taskscope.trace.ModePolicy.Decision;
import io.taskscope.trace.ModePolicy.Moment;
import java.util.List;

/**
 * The mechanics of modes inside the engine: asks the {@link ModePolicy} at attach, fork and exec; switches a
 * process's threads when {@link Tracer#setMode} asks (from any thread, through the request queue); and measures
 * what a stop costs. Which process deserves which mode is not decided here but by the policy and by whoever calls
 * setMode (the agent's escalation conditions and budget). Tracer thread only, except {@link #stopCostNanos()}.
 *
 * <p>A switch never loses the pairing of entry and exit stops. To syscall mode: a thread that runs in lifecycle
 * mode is interrupted (PTRACE_INTERRUPT: a blocking call it is in is restarted by the kernel, or, for calls that
 * are never restarted such as epoll_wait, returns EINTR, as under strace's attach) and resumed with
 * PTRACE_SYSCALL at that stop; when the stop lies inside a call (a fork or exec event), that call's exit is
 * expected and not reported. To lifecycle mode: no interrupt is needed (a thread in syscall mode stops at its next
 * call); a call whose entry was seen and whose exit will not be is dropped, not reported half.
 */
final class Modes {
    /** Stop cost assumed until measured: a cross-CPU ptrace stop on a loaded 2-vCPU VM (measured-facts.md). */
    static final long DEFAULT_STOP_COST_NANOS = 50_000;
    /** Calls that return at once: their entry-to-exit time is a stop's cost, not the call's. */
    private static final List<String> QUICK = List.of("getpid", "getppid", "gettid", "getuid", "geteuid", "getgid",
            "getegid", "rt_sigaction", "rt_sigprocmask", "times", "getcwd", "setitimer", "umask", "fcntl", "dup",
            "lseek", "getrusage", "sigaltstack", "set_robust_list", "prctl", "getrlimit", "prlimit64", "uname",
            "newfstatat", "fstat", "getsockopt", "setsockopt", "gettimeofday", "clock_gettime");

    private final ModePolicy policy;
    private final TraceMode defaultMode;
    private final Failures failures;
    private final boolean[] quick;
    private Registry registry;
    private volatile long stopCost = DEFAULT_STOP_COST_NANOS;
    private long roundTripEwma = -1, handlingEwma = -1;
    private final java.util.Set<Integer> budgeted = new java.util.HashSet<>();

    Modes(ModePolicy policy, TraceMode defaultMode, Failures failures) {
        this.policy = policy;
        this.defaultMode = defaultMode;
        this.failures = failures;
        SyscallTable table = SyscallTable.current();
        this.quick = new boolean[table.size()];
        for (String n : QUICK) table.byName(n).ifPresent(s -> {
            if (s.number() >= 0 && s.number() < quick.length) quick[(int) s.number()] = true;
        });
    }

    void bind(Registry r) {
        this.registry = r;
    }

    /** The mode of a process that appears with no traced parent to inherit from. */
    TraceMode defaultMode() {
        return defaultMode;
    }

    // ---------------------------------------------------------------- decisions at stops

    void atAttach(Proc p) {
        decide(p, new Context(Moment.ATTACH, p.pid, p.ppid, p.container, p.comm, p.exe, ProcFs.cmdline(p.pid),
                p.mode(), p.stats.escalated(), parentExe(p.ppid), null));
    }

    /** A new child: it has its parent's mode (set by the registry) unless the policy says otherwise. */
    void atFork(Proc child, Proc parent) {
        if (parent == null) return;
        decide(child, new Context(Moment.FORK, child.pid, child.ppid, child.container, child.comm, child.exe,
                List.of(), child.mode(), child.stats.escalated(), parent.exe, parentExe(parent.ppid)));
    }

    /** After an exec, before the new program's first instruction: the exec'ing thread is the only one left. */
    void atExec(Tracee t, List<String> argv) {
        Proc p = t.proc;
        Proc parent = registry.proc(p.ppid);
        if (decide(p, new Context(Moment.EXEC, p.pid, p.ppid, p.container, p.comm, p.exe, argv, p.mode(),
                p.stats.escalated(), parent != null ? parent.exe : null,
                parent != null ? parentExe(parent.ppid) : null)) && t.mode != p.mode()) {
            t.pendingMode = p.mode(); // taken at this stop's resume, inside the execve call
        }
    }

    private String parentExe(int ppid) {
        Proc q = registry.proc(ppid);
        return q != null ? q.exe : null;
    }

    private boolean decide(Proc p, Context c) {
        Decision d;
        try {
            d = policy.decide(c);
        } catch (RuntimeException e) {
            failures.record("mode policy", c.moment().name().toLowerCase(java.util.Locale.ROOT), e);
            return false;
        }
        if (d == null) return false;
        p.stats.set(d.mode(), d.escalated() || p.stats.escalated(), d.reason(), System.nanoTime());
        return true;
    }

    // ---------------------------------------------------------------- switches asked for at run time

    /** Tracer#setMode, on the tracer thread: every thread of the process takes the mode at its next stop. */
    void request(Proc p, TraceMode mode, boolean escalated, boolean budget, String reason) {
        p.stats.set(mode, escalated || p.stats.escalated(), reason, System.nanoTime());
        if (budget) budgeted.add(p.pid);
        for (Tracee t : registry.threadsOf(p)) {
            t.pendingMode = t.mode == mode ? null : mode;
            if (t.pendingMode == TraceMode.SYSCALL && !t.detaching) StopHandler.quiet(PTRACE_INTERRUPT, t.tid, 0);
        }
    }

    /** Whether the process's syscall stream is under a budget (its events then carry their coverage). */
    boolean budgeted(Proc p) {
        return !budgeted.isEmpty() && budgeted.contains(p.pid) && !p.stats.escalated();
    }

    void forget(Proc p) {
        budgeted.remove(p.pid);
    }

    /** At a stop, before resuming: the pending mode becomes the thread's. */
    void apply(Tracee t, boolean insideSyscall) {
        TraceMode m = t.pendingMode;
        t.pendingMode = null;
        if (m == null || m == t.mode) return;
        t.entryDecoded = null;
        t.selected = false;
        if (m == TraceMode.LIFECYCLE) {
            t.inSyscall = false; // an entry seen whose exit will not be: dropped, not reported half
        } else {
            t.inSyscall = insideSyscall; // inside a call (fork, exec event): its exit stop comes next, unreported
            t.nr = -1;
        }
        t.mode = m;
    }

    // ---------------------------------------------------------------- what a stop costs

    /**
     * At a syscall-exit stop: the time since the entry stop's resume, for a call that returns at once, is one
     * stop's round trip (the tracee woken, the call, the stop, the tracer woken); the tracer's own handling
     * (stop seen to resume) is measured at the same stop. Their sum, averaged, is what one stop costs the tracee.
     */
    void sampleStop(Tracee t, long seen) {
        long nr = t.nr;
        if (nr < 0 || nr >= quick.length || !quick[(int) nr] || t.resumedNanos == 0) return;
        long rt = seen - t.resumedNanos;
        if (rt <= 0 || rt > 50_000_000) return;
        roundTripEwma = roundTripEwma < 0 ? rt : roundTripEwma + ((rt - roundTripEwma) >> 5);
        long h = System.nanoTime() - seen;
        handlingEwma = handlingEwma < 0 ? h : handlingEwma + ((h - handlingEwma) >> 5);
        stopCost = roundTripEwma + handlingEwma;
    }

    /** What one stop costs a tracee now, in nanoseconds (measured, or the default until measured). */
    long stopCostNanos() {
        return stopCost;
    }
}
