package io.taskscope.event;

import java.util.List;

/**
 * A process appeared, exec'd or ended.
 *
 * @param exitCode exit status for EXIT when it exited normally, else null
 * @param signal   terminating signal name ("SIGKILL") for EXIT when killed, else null
 */
public record ProcessEvent(long timeNanos, Kind kind, int pid, int ppid, String container, String comm, String exe,
                           List<String> argv, int uid, Integer exitCode, String signal) implements Event {
    public enum Kind { START, EXEC, EXIT }

    @Override
    public String type() {
        return "process";
    }
}
