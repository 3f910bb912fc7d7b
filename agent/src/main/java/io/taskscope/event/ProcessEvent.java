package io.taskscope.event;

import java.util.List;

/**
 * A process appeared, exec'd or ended, or was found traced by someone else.
 *
 * @param exitCode    exit status for EXIT when it exited normally, else null
 * @param signal      terminating signal name ("SIGKILL") for EXIT when killed, else null
 * @param gid         real gid, -1 when unknown
 * @param cwd         working directory inside the process's root (START, EXEC), null when unknown
 * @param previousExe for EXEC, the program the process ran before the exec; null otherwise
 * @param mode        how the tracer follows the process from this event on: "lifecycle" (only fork, exec, exit
 *                    and signals stop it) or "syscall" (every system call stops it); null when not traced
 * @param reason      why it has that mode when a policy chose it ("escalated: shell in container app"); else null
 * @param tracerPid   for TRACED, the process that traces it (its TracerPid, as a process id); null otherwise
 */
public record ProcessEvent(long timeNanos, Kind kind, int pid, int ppid, String container, String comm, String exe,
                           List<String> argv, int uid, Integer exitCode, String signal, int gid, String cwd,
                           String previousExe, String mode, String reason, Integer tracerPid) implements Event {
    /**
     * START, EXEC and EXIT come from the tracer; TRACED from the agent's /proc scan: a process of the task is
     * traced (ptrace) by a process other than the agent (a neighbour became a tracer).
     */
    /** THREAD_EXIT: a thread other than the process's first ended ({@code pid} is the thread's id); only where
     * asked for (taskscope trace, as strace prints it), never in the agent's stream. */
    public enum Kind { START, EXEC, EXIT, TRACED, THREAD_EXIT }

    public ProcessEvent(long timeNanos, Kind kind, int pid, int ppid, String container, String comm, String exe,
                        List<String> argv, int uid, Integer exitCode, String signal, int gid, String cwd,
                        String previousExe, String mode, String reason) {
        this(timeNanos, kind, pid, ppid, container, comm, exe, argv, uid, exitCode, signal, gid, cwd, previousExe,
                mode, reason, null);
    }

    public ProcessEvent(long timeNanos, Kind kind, int pid, int ppid, String container, String comm, String exe,
                        List<String> argv, int uid, Integer exitCode, String signal) {
        this(timeNanos, kind, pid, ppid, container, comm, exe, argv, uid, exitCode, signal, -1, null, null, null, null, null);
    }

    /** The same event with another command line (secrets masked: {@code env.Redaction.event}). */
    public ProcessEvent withArgv(List<String> newArgv) {
        return new ProcessEvent(timeNanos, kind, pid, ppid, container, comm, exe, newArgv, uid, exitCode, signal, gid, cwd,
                previousExe, mode, reason, tracerPid);
    }

    @Override
    public String type() {
        return "process";
    }
}
