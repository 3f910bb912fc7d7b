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
 *   workOn   = its read- and write-like calls per second in syscall spells (/proc/PID/io syscr + syscw: its
 *   workOff  = the same in lifecycle spells                          progress, countable in both modes)
 *   cpuOff   = its CPU seconds per second in lifecycle spells (/proc/PID/schedstat): its own run time
 *   model    = rate x stop cost / max(cpuOff, 5%)      time stopped per second of its own run time
 *   observed = workOff / workOn - 1                     how much longer its work takes in syscall mode (busy)
 *   tracer   = rate x tracer CPU per stop / max(cpuOff, 5%)
 *                                                       the tracer's CPU on its behalf, against its own: on a
 *                                                       busy task that CPU is taken from the task's work
 *   cost     = max(model, observed) + tracer            the overhead of syscall mode: 7.0 + ~1.5 for a php-fpm
 *                                                       worker of the lab (8x slower there)
 *   duty     = 1 when cost &lt;= budget, else budget / cost                (at least MIN_DUTY)
 * </pre>
 *
 * The cost is an overhead ratio (extra time per unit of the process's own work), which bounds both what a
 * budget can cost: a latency-bound service (one request at a time: each request served in a syscall spell is
 * s times slower) loses duty x (s - 1) = the budget, and a throughput-bound one loses duty x (1 - 1/s), less.
 * Measured on the lab (bench/lab-load.sh): the share of progress (1 - 1/s) as the cost held a 5% budget at 8
 * connections but cost 7-30% at 1 connection; the model alone took php-fpm's workers for cheap and left them in
 * syscall mode; CPU time as progress undercounted (a worker in syscall mode spends CPU on its own stops); and
 * without the tracer's CPU, which on a 2-vCPU task is the task's, it still cost 15-25%.
 *
 * A busy process is never left in syscall mode on the model's word alone: its first syscall spell is followed by a
 * lifecycle spell of MEASURE_OFF, and so is any spell after WORK_STALE without one, so that the observed share is
 * measured and kept current.
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
    /** Below this many calls a second in lifecycle mode a process is too idle for its progress to say anything. */
    static final double BUSY = 200;
    /** The least CPU share a process's own use is counted as (a quiet process's tracer cost is not blown up). */
    static final double BUSY_CPU = 0.05;
    /** The lifecycle spell that measures a busy process's progress when duty cycling gave none yet (or lately). */
    static final long MEASURE_OFF_NANOS = 200_000_000L;
    static final long WORK_STALE_NANOS = 10_000_000_000L;

    private final double budget;
    private final Supplier<Tracer> tracer;
    private final Escalation policy;
    private final Map<Integer, State> states = new HashMap<>();
    private long lastTracerCpu = -1, lastTracerStops;
    private double tracerCpuPerStop = -1; // seconds of the tracer thread's CPU per stop it handled

    static final class State {
        boolean on = true;
        long phaseStart;
        long offNanos; // the length of the current lifecycle spell, fixed when it starts
        long lastStops, lastNanos;
        double rate = -1; // stops per second of syscall mode; -1 until measured
        double duty = 1;
        long lastWork = -1, lastWall;
        double workOn = -1, workOff = -1; // calls per second (syscr + syscw) in syscall and in lifecycle spells
        long lastCpu = -1;
        double cpuOff = -1;               // its CPU seconds per second in lifecycle spells
        long workOffAt;                   // when workOff was last sampled
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
        long tcpu = t.threadCpuNanos(), tstops = t.stats().stops();
        if (tcpu >= 0 && lastTracerCpu >= 0 && tstops - lastTracerStops >= 1000) {
            double c = (tcpu - lastTracerCpu) / 1e9 / (tstops - lastTracerStops);
            tracerCpuPerStop = tracerCpuPerStop < 0 ? c : tracerCpuPerStop + (c - tracerCpuPerStop) * 0.3;
        }
        if (lastTracerCpu < 0 || tstops - lastTracerStops >= 1000) {
            lastTracerCpu = tcpu;
            lastTracerStops = tstops;
        }
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
            s.duty = duty(cost(s, stopCost, tracerCpuPerStop), budget);
            long elapsed = now - s.phaseStart;
            boolean unmeasured = s.workOn >= BUSY && (s.workOff < 0 || now - s.workOffAt > WORK_STALE_NANOS);
            if (s.on && elapsed >= MIN_ON_NANOS && unmeasured) {
                s.offNanos = MEASURE_OFF_NANOS; // busy, and no recent lifecycle spell to compare with: take one
                switchTo(t, p.pid(), s, false, now);
            } else if (s.on && s.duty < 1 && elapsed >= onNanos(s.duty)) {
                // sized on the spell actually spent on, but not on a long one begun while the process was idle
                // (duty 1): that would park a process that has just become busy for many seconds
                s.offNanos = offNanos(Math.min(elapsed, onNanos(s.duty) + 2 * TICK_NANOS), s.duty);
                switchTo(t, p.pid(), s, false, now);
            } else if (!s.on && elapsed >= Math.min(s.offNanos, Math.max(MEASURE_OFF_NANOS, offNanos(onNanos(s.duty), s.duty)))) {
                switchTo(t, p.pid(), s, true, now); // a duty that rose since shortens the wait
            }
        }
        states.keySet().retainAll(wanted);
        states.keySet().retainAll(traced);
        // A pid the policy has just chosen may not be in the snapshot yet: only the dead are forgotten.
        wanted.removeIf(pid -> !traced.contains(pid) && !Tracer.processExists(pid));
    }

    /** Calls per second in the phase the process was in since the last tick (/proc/PID/io), and its CPU per
     * second when that phase was lifecycle (/proc/PID/schedstat). */
    private static void progress(int pid, State s, long now) {
        long work = workCount(pid), cpu = cpuNanos(pid);
        if (cpu >= 0 && s.lastCpu >= 0 && !s.on && now - s.lastWall >= 20_000_000) {
            double u = (double) (cpu - s.lastCpu) / (now - s.lastWall);
            s.cpuOff = s.cpuOff < 0 ? u : s.cpuOff + (u - s.cpuOff) * 0.3;
        }
        if (work >= 0 && s.lastWork >= 0 && now - s.lastWall >= 20_000_000) {
            double u = (work - s.lastWork) * 1e9 / (now - s.lastWall);
            if (s.on) {
                s.workOn = s.workOn < 0 ? u : s.workOn + (u - s.workOn) * 0.3;
            } else {
                s.workOff = s.workOff < 0 ? u : s.workOff + (u - s.workOff) * 0.3;
                s.workOffAt = now;
            }
        }
        if (work >= 0 && (s.lastWork < 0 || now - s.lastWall >= 20_000_000)) {
            s.lastWork = work;
            s.lastCpu = cpu;
            s.lastWall = now;
        }
    }

    /** The overhead of syscall mode: extra time per unit of the process's own work (7.0 for 8x slower). */
    static double cost(State s, double stopCostSeconds, double tracerCpuPerStop) {
        double runTime = Math.max(s.cpuOff, BUSY_CPU);
        double model = s.rate < 0 ? 0 : s.rate * stopCostSeconds / runTime;
        double observed = s.workOn >= 0 && s.workOff >= BUSY ? Math.max(0, s.workOff / Math.max(s.workOn, 1) - 1) : 0;
        double tracer = s.rate < 0 || tracerCpuPerStop < 0 ? 0 : s.rate * tracerCpuPerStop / runTime;
        return Math.max(model, observed) + tracer;
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

    /** syscr + syscw of /proc/PID/io: the read- and write-like calls the process (all its threads) has made. */
    private static long workCount(int pid) {
        try {
            long n = 0;
            int found = 0;
            for (String line : java.nio.file.Files.readAllLines(io.taskscope.proc.ProcPath.system().file(pid, "io"))) {
                if (line.startsWith("syscr:") || line.startsWith("syscw:")) {
                    n += Long.parseLong(line.substring(6).trim());
                    found++;
                }
            }
            return found == 2 ? n : -1;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private void switchTo(Tracer t, int pid, State s, boolean on, long now) {
        if (log.isDebugEnabled()) {
            log.debug("budget: pid {} to {} mode after {} ms: rate {}/s, calls {}/s on / {}/s off, duty {}", pid,
                    on ? "syscall" : "lifecycle", (now - s.phaseStart) / 1_000_000, Math.round(s.rate),
                    Math.round(s.workOn), Math.round(s.workOff), String.format("%.4f", s.duty)
                    + String.format(" (cpu off %.3f, tracer %.1f us/stop)", s.cpuOff, tracerCpuPerStop * 1e6));
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
