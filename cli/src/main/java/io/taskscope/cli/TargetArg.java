package io.taskscope.cli;

import io.taskscope.TaskscopeException;

/**
 * TARGET and TARGET:PATH arguments. TARGET is a PID (in the monitor's PID namespace).
 * Container names need the task's container model; until it is wired in here, a name is
 * refused with a pointer to the PID.
 */
public final class TargetArg {
    private TargetArg() {}

    /** A TARGET:PATH argument split at its first colon (paths may hold colons, PIDs and container names do not). */
    public record TargetPath(String target, String path) {}

    public static TargetPath parsePath(String arg) {
        int colon = arg.indexOf(':');
        if (colon <= 0) {
            throw TaskscopeException.usage("'" + arg + "' is not TARGET:PATH", "write it like 42:/etc/passwd (PID, colon, path inside the container)");
        }
        String path = arg.substring(colon + 1);
        return new TargetPath(arg.substring(0, colon), path.isEmpty() ? "/" : path);
    }

    /** The PID a TARGET names. */
    public static int pid(String target) {
        try {
            int pid = Integer.parseInt(target);
            if (pid > 0) return pid;
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw TaskscopeException.usage("TARGET '" + target + "' is not a PID (container names are not resolved here yet)",
                "use the PID of the container's main process from 'taskscope ps'");
    }
}
