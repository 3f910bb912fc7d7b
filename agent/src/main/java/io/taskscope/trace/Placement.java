package io.taskscope.trace;

/**
 * Where the tracer thread runs relative to its tracees. Each ptrace stop wakes the tracer and each
 * resume wakes the tracee; on a Firecracker VM a wake-up across CPUs costs several times one on the
 * same CPU (docs: /work/shared/notes/measured-facts.md and bench/trace-overhead.sh).
 */
public enum Placement {
    /** Block in waitpid right after each resume: cheapest in CPU, slowest for the tracee. */
    BLOCK,
    /**
     * After resuming a tracee, poll waitpid(WNOHANG) for a bounded time before blocking: the next
     * stop of a syscall-heavy tracee is usually microseconds away, and catching it while still
     * running avoids the tracer's own sleep and wake-up. The default.
     */
    SPIN,
    /**
     * Opt-in: move the tracees onto the CPU they last ran on and pin the tracer thread there too, so
     * that every wake-up is CPU-local. Changes the neighbours' CPU affinity (a visible side effect);
     * the original affinity is restored on detach. Falls back to SPIN when affinity cannot be set.
     */
    COLOCATE
}
