package io.taskscope.cli;

import io.taskscope.TaskscopeException;
import io.taskscope.task.Target;
import io.taskscope.task.Targets;

/** TARGET:PATH arguments of the fs commands; TARGET is a PID or a container name ({@link Targets}). */
public final class TargetArg {
    private TargetArg() {}

    /** A TARGET:PATH argument split at its first colon (paths may hold colons, PIDs and container names do not). */
    public record TargetPath(String target, String path) {}

    public static TargetPath parsePath(String arg) {
        int colon = arg.indexOf(':');
        if (colon <= 0) {
            throw TaskscopeException.usage("'" + arg + "' is not TARGET:PATH",
                    "write it like 42:/etc/passwd or web:/etc/nginx (PID or container, colon, path inside the container)");
        }
        String path = arg.substring(colon + 1);
        return new TargetPath(arg.substring(0, colon), path.isEmpty() ? "/" : path);
    }

    /** The process and container a TARGET names. */
    public static Target resolve(String target) {
        return Targets.resolve(target);
    }

    /** The PID a TARGET names. */
    public static int pid(String target) {
        return resolve(target).pid();
    }
}
