package io.taskscope.event;

import java.util.List;

/**
 * A process appeared, exec'd or ended.
 *
 * @param exitCode    exit status for EXIT when it exited normally, else null
 * @param signal      terminating signal name ("SIGKILL") for EXIT when killed, else null
 * @param gid         real gid, -1 when unknown
 * @param cwd         working directory inside the process's root (START, EXEC), null when unknown
 * @param previousExe for EXEC, the program the process ran before the exec; null otherwise
 * @param mode        how the tracer follows the process from this event on: "lifecycle" (only fork, exec, exit
 *                    and signals stop it) or "syscall" (every system call stops it); null when not traced
 * @param reason      why it has that mode when a policy chose it ("escalated: shell in container app"); else null
 */
public record ProcessEvent(long timeNanos, Kind kind, int pid, int ppid, String container, String comm, String exe,
                           List<String> argv, int uid, Integer exitCode, String signal, int gid, String cwd,
                           String previousExe, String mode, String reason) implements Event {
    public enum Kind { START, EXEC, EXIT }

    public ProcessEvent(long timeNanos, Kind kind, int pid, int ppid, String container, String comm, String exe,
                        List<String> argv, int uid, Integer exitCode, String signal) {
        this(timeNanos, kind, pid, ppid, container, comm, exe, argv, uid, exitCode, signal, -1, null, null, null, null);
    }

    @Override
    public String type() {
        return "process";
    }
}
