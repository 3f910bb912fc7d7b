package io.taskscope.trace;

import io.taskscope.decode.SyscallFilter;
import java.util.function.IntFunction;

/**
 * What and how to trace.
 *
 * @param filter        which syscalls and outcomes become events (strace's -e)
 * @param stringLimit   strace's -s: longest string printed before "..."
 * @param decodeFds     strace's -y: print fd arguments as {@code 3</path>}
 * @param followForks   strace's -f: also trace child processes created by tracees (new threads
 *                      of a traced process are always traced)
 * @param processEvents whether to emit {@link io.taskscope.event.ProcessEvent}s (start, exec, exit)
 * @param signalEvents  whether to emit {@link io.taskscope.event.SignalEvent}s (strace's "--- SIGCHLD {...} ---"
 *                      lines; off by default: the agent's stream would fill with SIGCHLDs)
 * @param placement     where the tracer thread runs; see {@link Placement}
 * @param spinMicros    with {@link Placement#SPIN}, how long to poll after a resume before blocking
 * @param containerOf   container name of a pid (called at attach and for new processes, never per
 *                      stop); may return null
 * @param mode          the mode of a process that appears with no traced parent and no policy decision
 * @param modePolicy    decides modes at attach, fork and exec (default: every process in {@code mode})
 * @param threadExits   whether a thread other than a process's first one ending is an event
 *                      ({@link io.taskscope.event.ProcessEvent.Kind#THREAD_EXIT}: strace's "[pid TID] +++ exited
 *                      with 0 +++"); off by default: the agent reports processes, not threads
 */
public record TraceOptions(SyscallFilter filter, int stringLimit, boolean decodeFds, boolean followForks,
                           boolean processEvents, boolean signalEvents, Placement placement, int spinMicros,
                           IntFunction<String> containerOf, TraceMode mode, ModePolicy modePolicy, boolean threadExits) {
    public static final int DEFAULT_SPIN_MICROS = 50;

    /** strace's defaults: all syscalls, -s 32, no -y, no -f; process events on, signal events off; spin placement;
     * every process in syscall mode. */
    public static TraceOptions defaults() {
        return new TraceOptions(SyscallFilter.all(), 32, false, false, true, false, Placement.SPIN, DEFAULT_SPIN_MICROS,
                pid -> null, TraceMode.SYSCALL, ModePolicy.fixed(TraceMode.SYSCALL), false);
    }

    public TraceOptions withFilter(SyscallFilter f) {
        return new TraceOptions(f, stringLimit, decodeFds, followForks, processEvents, signalEvents, placement, spinMicros, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withStringLimit(int s) {
        return new TraceOptions(filter, s, decodeFds, followForks, processEvents, signalEvents, placement, spinMicros, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withDecodeFds(boolean y) {
        return new TraceOptions(filter, stringLimit, y, followForks, processEvents, signalEvents, placement, spinMicros, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withFollowForks(boolean f) {
        return new TraceOptions(filter, stringLimit, decodeFds, f, processEvents, signalEvents, placement, spinMicros, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withProcessEvents(boolean p) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, p, signalEvents, placement, spinMicros, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withSignalEvents(boolean s) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, processEvents, s, placement, spinMicros, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withPlacement(Placement p) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, processEvents, signalEvents, p, spinMicros, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withSpinMicros(int us) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, processEvents, signalEvents, placement, us, containerOf, mode, modePolicy, threadExits);
    }

    public TraceOptions withContainerOf(IntFunction<String> c) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, processEvents, signalEvents, placement, spinMicros, c, mode, modePolicy, threadExits);
    }

    /** Every process in {@code m} (forks inherit it), unless a policy is given after this. */
    public TraceOptions withMode(TraceMode m) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, processEvents, signalEvents, placement,
                spinMicros, containerOf, m, ModePolicy.fixed(m), threadExits);
    }

    public TraceOptions withModePolicy(ModePolicy p) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, processEvents, signalEvents, placement,
                spinMicros, containerOf, mode, p, threadExits);
    }

    public TraceOptions withThreadExits(boolean t) {
        return new TraceOptions(filter, stringLimit, decodeFds, followForks, processEvents, signalEvents, placement,
                spinMicros, containerOf, mode, modePolicy, t);
    }
}
