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
 *   model = rate x stop cost                                      (the tracer's measured cost of one stop)
 *   slow  = 1 - cpu(syscall spells) / cpu(lifecycle spells)       (its own progress: CPU time per second, from
 *                                                                  /proc/PID/schedstat, in each mode)
 *   cost  = max(model, slow)
 *   duty  = 1 when cost &lt;= budget, else budget / cost              (the share of a 1 s cycle in syscall mode)
 * </pre>
 *
 * The model alone underestimates a busy process's cost on a saturated VM (measured on the lab under wrk: a 5%
 * budget cost 25-45%): each stop also takes CPU from the task for the tracer and for two context switches. The
 * process's own progress in each mode is what the budget is about, so it decides whenever the process is busy
 * enough (5% of a CPU in lifecycle mode) to measure.
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

    static final class State {
        boolean on = true;
        long phaseStart;
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
            double cost = Math.max(s.rate < 0 ? 0 : s.rate * stopCost, slowdown(s));
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

    /** How much slower the process progresses in syscall mode, once both modes were measured on a busy process. */
    static double slowdown(State s) {
        if (s.cpuOn < 0 || s.cpuOff < 0.05) return 0;
        return Math.max(0, 1 - s.cpuOn / s.cpuOff);
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
        s.on = on;
        s.phaseStart = now;
        String reason = "selected for syscall tracing under a " + Escalation.percent(budget) + " budget (duty "
                + Math.round(s.duty * 100) + "%)";
        t.setMode(pid, on ? TraceMode.SYSCALL : TraceMode.LIFECYCLE, false, true, reason).whenComplete((v, ex) -> {
            if (ex != null) log.debug("budget: switching {} failed: {}", pid, ex.toString());
        });
    }
}
