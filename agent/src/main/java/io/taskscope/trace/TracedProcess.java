package io.taskscope.trace;

/**
 * A process the tracer is attached to, as of the last snapshot.
 *
 * @param pid       thread-group id
 * @param startTime start time in clock ticks since boot (/proc/PID/stat field 22): pid and start
 *                  time together name a process even after its pid is reused
 * @param comm      command name at attach or last exec
 * @param threads   traced threads
 * @param container container name, or null
 * @param mode      its tracing mode and syscall-mode cost, live (not a snapshot); null for a process described
 *                  by someone else (a relayed list)
 */
public record TracedProcess(int pid, long startTime, String comm, int threads, String container, ModeStats mode) {

    public TracedProcess(int pid, long startTime, String comm, int threads, String container) {
        this(pid, startTime, comm, threads, container, null);
    }
}
