package io.taskscope.cli;

import io.taskscope.TaskscopeException;
import io.taskscope.task.Target;
import io.taskscope.task.Targets;
import io.taskscope.text.Escape;

/** TARGET:PATH arguments of the fs commands; TARGET is a PID or a container name ({@link Targets}). */
public final class TargetArg {
    private TargetArg() {}

    /**
     * A TARGET:PATH argument split at its first colon (paths may hold colons, PIDs and container names do not).
     * PATH reads the escapes taskscope prints ({@code \xff}, {@code \n}, {@code \\}: {@link Escape#unescape}),
     * so a name that is not UTF-8 or holds control characters can be named as a listing shows it.
     */
    public record TargetPath(String target, String path) {}

    public static TargetPath parsePath(String arg) {
        int colon = arg.indexOf(':');
        if (colon <= 0) {
            throw TaskscopeException.usage("'" + Escape.text(arg) + "' is not TARGET:PATH",
                    "write it like 42:/etc/passwd or web:/etc/nginx (PID or container, colon, path inside the container)");
        }
        String path = Escape.unescape(arg.substring(colon + 1));
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
