package io.taskscope.trace;

import java.util.List;

/**
 * Decides a process's {@link TraceMode} at the three moments where the tracer holds it stopped and knows what it
 * is: when it attaches, when a traced process forks (the child, before its first instruction), and at an exec
 * (before the new program's first instruction, so an escalated program is seen from its first call).
 *
 * <p>Called on the tracer thread while the process is stopped: it must be quick and must not block. Everything
 * that takes time (a budget's arithmetic, a rule engine) runs elsewhere and changes modes later through
 * {@link Tracer#setMode}. The agent's escalation conditions implement this (io.taskscope.agent.Escalation).
 */
@FunctionalInterface
public interface ModePolicy {

    enum Moment { ATTACH, FORK, EXEC }

    /**
     * What is known at the stop.
     *
     * @param moment     attach, fork (pid is the new child) or exec
     * @param current    the mode it has now (at a fork: the parent's)
     * @param escalated  whether it is escalated now (at a fork: the parent is); escalation is inherited
     * @param exe        the executable (after the exec; at a fork the parent's), inside the process's root; may be null
     * @param argv       the command line (after the exec); empty when unreadable
     * @param parentExe  the parent's executable when the parent is traced, else null
     * @param grandparentExe the parent's parent's executable when traced, else null
     */
    record Context(Moment moment, int pid, int ppid, String container, String comm, String exe, List<String> argv,
                   TraceMode current, boolean escalated, String parentExe, String grandparentExe) {}

    /**
     * A mode and why.
     *
     * @param escalated exempt from budgets and inherited by descendants: the process earned a full trace
     * @param reason    shown in the process event and by {@code ps} ("escalated: shell /bin/dash in app")
     */
    record Decision(TraceMode mode, boolean escalated, String reason) {}

    /** The decision, or null to keep the current mode (at a fork: the parent's). */
    Decision decide(Context context);

    /** Every process in one mode from its attach on; forks inherit, execs keep it. */
    static ModePolicy fixed(TraceMode mode) {
        return c -> c.moment() == Moment.ATTACH ? new Decision(mode, false, null) : null;
    }
}
