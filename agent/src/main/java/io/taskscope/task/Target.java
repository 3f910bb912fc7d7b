package io.taskscope.task;

/**
 * A resolved TARGET argument.
 *
 * @param pid       the PID in the monitor's PID namespace
 * @param container the name of its container; empty string when it has none (kernel thread)
 */
public record Target(int pid, String container) {}
