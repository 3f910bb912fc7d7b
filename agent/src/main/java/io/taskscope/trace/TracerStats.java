package io.taskscope.trace;

/**
 * Counters of a tracer since start.
 *
 * @param stops        ptrace stops handled (every one is a pause of someone's thread)
 * @param syscalls     syscall exits seen (traced or not)
 * @param events       events handed to the sink
 * @param dropped      events the sink refused (its queue was full)
 * @param spinHits     stops caught while polling after a resume (no sleep, no wake-up)
 * @param blockedWaits times the tracer blocked in waitpid
 * @param failures     stops whose handling failed (counted, logged once per kind; the thread was resumed)
 */
public record TracerStats(long stops, long syscalls, long events, long dropped, long spinHits, long blockedWaits,
                          long failures) {}
