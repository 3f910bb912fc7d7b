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
 */
public record TracedProcess(int pid, long startTime, String comm, int threads, String container) {}
