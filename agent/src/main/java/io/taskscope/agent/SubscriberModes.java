package io.taskscope.agent;

import io.taskscope.trace.ModeStats;
import io.taskscope.trace.TraceMode;
import io.taskscope.trace.TracedProcess;
import io.taskscope.trace.Tracer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A relayed {@code taskscope trace -p PID} (a control-socket subscriber naming pids) wants syscalls the agent does
 * not see in lifecycle mode: while at least one subscriber names a process, it is held in syscall mode, and put
 * back in lifecycle mode when the last one leaves (unless it was escalated meanwhile, or is under a budget, whose
 * duty cycle takes it over again).
 */
final class SubscriberModes {
    private static final String REASON = "traced by a relayed 'taskscope trace'";
    private final Supplier<Tracer> tracer;
    private final Escalation policy;
    private final Map<Integer, Integer> holders = new HashMap<>();

    SubscriberModes(Supplier<Tracer> tracer, Escalation policy) {
        this.tracer = tracer;
        this.policy = policy;
    }

    synchronized void acquire(Set<Integer> pids) {
        Tracer t = tracer.get();
        if (t == null) return;
        for (TracedProcess p : t.tracees()) {
            if (!pids.contains(p.pid())) continue;
            if (holders.merge(p.pid(), 1, Integer::sum) == 1 && p.mode() != null && p.mode().mode() == TraceMode.LIFECYCLE) {
                t.setMode(p.pid(), TraceMode.SYSCALL, false, false, REASON);
            }
        }
    }

    synchronized void release(Set<Integer> pids) {
        Tracer t = tracer.get();
        if (t == null) return;
        for (TracedProcess p : t.tracees()) {
            Integer n = holders.get(p.pid());
            if (!pids.contains(p.pid()) || n == null) continue;
            if (n > 1) {
                holders.put(p.pid(), n - 1);
                continue;
            }
            holders.remove(p.pid());
            ModeStats m = p.mode();
            if (m != null && !m.escalated() && REASON.equals(m.reason()) && !policy.continuous().contains(p.pid())) {
                t.setMode(p.pid(), TraceMode.LIFECYCLE, false, false, null);
            }
        }
        holders.keySet().retainAll(t.tracees().stream().map(TracedProcess::pid).toList());
    }
}
