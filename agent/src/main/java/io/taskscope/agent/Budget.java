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
 *   rate  = syscall stops per second while in syscall mode        (measured over its syscall spells)
 *   cost  = rate x stop cost                                      (the tracer's measured cost of one stop)
 *   duty  = 1 when cost &lt;= budget, else budget / cost              (the share of a 1 s cycle in syscall mode)
 * </pre>
 *
 * A process that makes few calls (an idle server) stays in syscall mode; a busy one spends {@code duty} of each
 * second in it, so that its time lost to stops averages the budget. Escalated processes are exempt. What a
 * process's stream shows is its coverage ({@link ModeStats#coverage}), carried by its syscall events and metrics.
 */
final class Budget {
    private static final Logger log = LoggerFactory.getLogger(Budget.class);
    static final long CYCLE_NANOS = 1_000_000_000L;
    static final double MIN_DUTY = 0.01;

    private final double budget;
    private final Supplier<Tracer> tracer;
    private final Escalation policy;
    private final Map<Integer, State> states = new HashMap<>();

    private static final class State {
        boolean on = true;
        long phaseStart;
        long lastStops, lastNanos;
        double rate = -1; // stops per second of syscall mode; -1 until measured
        double duty = 1;
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
            double cost = s.rate < 0 ? 0 : s.rate * stopCost;
            s.duty = cost <= budget ? 1 : Math.max(MIN_DUTY, budget / cost);
            long elapsed = now - s.phaseStart;
            if (s.on && s.duty < 1 && elapsed >= (long) (s.duty * CYCLE_NANOS)) {
                switchTo(t, p.pid(), s, false, now);
            } else if (!s.on && elapsed >= (long) ((1 - s.duty) * CYCLE_NANOS)) {
                switchTo(t, p.pid(), s, true, now);
            }
        }
        states.keySet().retainAll(wanted);
        states.keySet().retainAll(traced);
        // A pid the policy has just chosen may not be in the snapshot yet: only the dead are forgotten.
        wanted.removeIf(pid -> !traced.contains(pid) && !Tracer.processExists(pid));
    }

    private void switchTo(Tracer t, int pid, State s, boolean on, long now) {
        s.on = on;
        s.phaseStart = now;
        String reason = "selected for syscall tracing under a " + Escalation.percent(budget) + " budget (duty "
                + Math.round(s.duty * 100) + "%)";
        t.setMode(pid, on ? TraceMode.SYSCALL : TraceMode.LIFECYCLE, false, true, reason).whenComplete((v, ex) -> {
            if (ex != null) log.debug("budget: switching {} failed: {}", pid, ex.toString());
        });
    }

    /** The duty of each budgeted process (tests, diagnostics). */
    synchronized Map<Integer, Double> duties() {
        Map<Integer, Double> out = new HashMap<>();
        states.forEach((pid, s) -> out.put(pid, s.duty));
        return out;
    }
}
