package io.taskscope.agent;

import io.taskscope.trace.ModeStats;
import io.taskscope.trace.TraceMode;
import io.taskscope.trace.TracedProcess;
import io.taskscope.trace.Tracer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps continuous syscall tracing under its budget by duty-cycling each process between syscall and lifecycle
 * mode. Every tick (50 ms, on the agent's scheduler, never on the tracer thread) and for each budgeted process:
 *
 * <pre>
 *   rate     = syscall stops per second while in syscall mode          (measured over its syscall spells)
 *   cpuOn    = its CPU seconds per second in syscall spells             (/proc/PID/schedstat)
 *   cpuOff   = the same in lifecycle spells
 *   model    = rate x stop cost               the share of each second it spends stopped in syscall mode
 *   observed = 1 - cpuOn / cpuOff             the share of its progress syscall mode takes (busy processes)
 *   cost     = max(model, observed)           e.g. 0.875 for a process 8x slower in syscall mode
 *   duty     = 1 when cost &lt;= budget, else budget / cost                (at least MIN_DUTY)
 * </pre>
 *
 * What a budgeted process loses is duty x cost of its progress: with a 5% budget, the worker 8x slower in syscall
 * mode spends 5.7% of its time there and does 5% less work than untraced. The model alone misses the CPU each stop
 * takes from the task (it underestimated a php-fpm worker's cost 3-4x on the lab); the observed share alone misses
 * an open-loop server whose CPU does not drop but whose latency grows; the larger one decides.
 *
 * A spell in syscall mode lasts at least MIN_ON (one tick more at most, since switches happen at ticks); the
 * lifecycle spell after it lasts {@code on x (1 - duty) / duty} of the spell actually spent on, so the realised
 * share is the duty whatever the tick granularity. A process that makes few calls (an idle server) stays in
 * syscall mode. Escalated processes are exempt. What a process's stream shows is its coverage
 * ({@link ModeStats#coverage}), carried by its syscall events and metrics.
 */
final class Budget {
    private static final Logger log = LoggerFactory.getLogger(Budget.class);
    static final long CYCLE_NANOS = 1_000_000_000L;
    static final long TICK_NANOS = 50_000_000L;
    static final long MIN_ON_NANOS = TICK_NANOS;
    static final double MIN_DUTY = 0.002;
    /** Below this CPU share in lifecycle mode a process is too idle for its progress to say anything. */
    static final double BUSY = 0.05;

    private final double budget;
    private final Supplier<Tracer> tracer;
    private final Escalation policy;
    private final Map<Integer, State> states = new HashMap<>();

    static final class State {
        boolean on = true;
        long phaseStart;
        long offNanos; // the length of the current lifecycle spell, fixed when it starts
        long lastStops, lastNanos;
        double rate = -1; // stops per second of syscall mode; -1 until measured
        double duty = 1;
        long lastCpu = -1, lastWall;
        double cpuOn = -1, cpuOff = -1; // CPU seconds per second in syscall and in lifecycle spells
    }

    Budget(double budget, Supplier<Tracer> tracer, Escalation policy) {
        this.budget = budget;
        this.tracer = tracer;
        this.policy = policy;
    }

    /** One tick: measure, then switch whoever's phase ended. */
    synchronized void tick() {
        Tracer t = tracer.get();
        if (t == null) return;
        long now = System.nanoTime();
        double stopCost = t.stopCostNanos() / 1e9;
        Set<Integer> traced = new HashSet<>();
        Set<Integer> wanted = policy.continuous();
        for (TracedProcess p : t.tracees()) {
            traced.add(p.pid());
            ModeStats m = p.mode();
            if (m == null || !wanted.contains(p.pid()) || m.escalated()) continue;
            State s = states.get(p.pid());
            if (s == null) {
                s = new State();
                s.phaseStart = now;
                s.lastStops = m.syscallStops();
                s.lastNanos = m.syscallNanos(now);
                states.put(p.pid(), s);
                switchTo(t, p.pid(), s, true, now); // already in syscall mode: this marks its events with coverage
            }
            long stops = m.syscallStops(), nanos = m.syscallNanos(now);
            long dStops = stops - s.lastStops, dNanos = nanos - s.lastNanos;
            s.lastStops = stops;
            s.lastNanos = nanos;
            if (dNanos >= 20_000_000) { // at least 20 ms of syscall mode since the last tick: a sample
                double r = dStops * 1e9 / dNanos;
                s.rate = s.rate < 0 ? r : s.rate + (r - s.rate) * 0.3;
            }
            progress(p.pid(), s, now);
            s.duty = duty(cost(s, stopCost), budget);
            long elapsed = now - s.phaseStart;
            if (s.on && s.duty < 1 && elapsed >= onNanos(s.duty)) {
                // sized on the spell actually spent on, but not on a long one begun while the process was idle
                // (duty 1): that would park a process that has just become busy for many seconds
                s.offNanos = offNanos(Math.min(elapsed, onNanos(s.duty) + 2 * TICK_NANOS), s.duty);
                switchTo(t, p.pid(), s, false, now);
            } else if (!s.on && elapsed >= Math.min(s.offNanos, offNanos(onNanos(s.duty), s.duty))) {
                switchTo(t, p.pid(), s, true, now); // a duty that rose since shortens the wait
            }
        }
        states.keySet().retainAll(wanted);
        states.keySet().retainAll(traced);
        // A pid the policy has just chosen may not be in the snapshot yet: only the dead are forgotten.
        wanted.removeIf(pid -> !traced.contains(pid) && !Tracer.processExists(pid));
    }

    /** CPU time per second in the phase the process was in since the last tick (its main thread's schedstat). */
    private static void progress(int pid, State s, long now) {
        long cpu = cpuNanos(pid);
        if (cpu >= 0 && s.lastCpu >= 0 && now - s.lastWall >= 20_000_000) {
            double u = (double) (cpu - s.lastCpu) / (now - s.lastWall);
            if (s.on) s.cpuOn = s.cpuOn < 0 ? u : s.cpuOn + (u - s.cpuOn) * 0.3;
            else s.cpuOff = s.cpuOff < 0 ? u : s.cpuOff + (u - s.cpuOff) * 0.3;
        }
        if (cpu >= 0 && (s.lastCpu < 0 || now - s.lastWall >= 20_000_000)) {
            s.lastCpu = cpu;
            s.lastWall = now;
        }
    }

    /** The share of the process's progress that syscall mode takes (0 to 1). */
    static double cost(State s, double stopCostSeconds) {
        double model = s.rate < 0 ? 0 : Math.min(1, s.rate * stopCostSeconds);
        double observed = s.cpuOn >= 0 && s.cpuOff >= BUSY ? Math.max(0, 1 - s.cpuOn / s.cpuOff) : 0;
        return Math.max(model, observed);
    }

    static double duty(double cost, double budget) {
        return cost <= budget ? 1 : Math.max(MIN_DUTY, budget / cost);
    }

    /** How long a syscall spell lasts at this duty. */
    static long onNanos(double duty) {
        return Math.max(MIN_ON_NANOS, (long) (duty * CYCLE_NANOS));
    }

    /** How long the lifecycle spell after a syscall spell of {@code onNanos} lasts, so that the share is the duty. */
    static long offNanos(long onNanos, double duty) {
        return (long) (onNanos * (1 - duty) / duty);
    }

    private static long cpuNanos(int pid) {
        try {
            String line = java.nio.file.Files.readString(io.taskscope.proc.ProcPath.system().file(pid, "schedstat"));
            int sp = line.indexOf(' ');
            return Long.parseLong(sp < 0 ? line.trim() : line.substring(0, sp));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private void switchTo(Tracer t, int pid, State s, boolean on, long now) {
        if (log.isDebugEnabled()) {
            log.debug("budget: pid {} to {} mode after {} ms: rate {}/s, cpu {} on / {} off, duty {}", pid,
                    on ? "syscall" : "lifecycle", (now - s.phaseStart) / 1_000_000, Math.round(s.rate),
                    String.format("%.3f", s.cpuOn), String.format("%.3f", s.cpuOff), String.format("%.4f", s.duty));
        }
        s.on = on;
        s.phaseStart = now;
        String reason = "selected for syscall tracing under a " + Escalation.percent(budget) + " budget (duty "
                + Math.round(s.duty * 100) + "%)";
        t.setMode(pid, on ? TraceMode.SYSCALL : TraceMode.LIFECYCLE, false, true, reason).whenComplete((v, ex) -> {
            if (ex != null) log.debug("budget: switching {} failed: {}", pid, ex.toString());
        });
    }
}
