package io.taskscope.trace;

import java.util.Locale;

/**
 * How the tracer follows one thread.
 *
 * <ul>
 *   <li>{@link #LIFECYCLE}: resumed with PTRACE_CONT. It stops only for ptrace events (fork, vfork, clone, exec,
 *       exit), signals and group-stops: a complete record of every process created, exec'd and ended, at almost
 *       no cost to a thread that only serves requests (a php-fpm worker never stops). Its system calls are not
 *       seen, and neither are failed execs (no exec event).</li>
 *   <li>{@link #SYSCALL}: resumed with PTRACE_SYSCALL, as strace does. Every system call stops it twice (entry and
 *       exit), tens of microseconds each on a VM: what {@code taskscope trace} uses.</li>
 * </ul>
 */
public enum TraceMode {
    LIFECYCLE, SYSCALL;

    /** "lifecycle" or "syscall", as events and {@code ps} show it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
