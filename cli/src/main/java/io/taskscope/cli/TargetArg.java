package io.taskscope.cli;

import io.taskscope.TaskscopeException;
import io.taskscope.task.Target;
import io.taskscope.task.Targets;
import io.taskscope.text.Escape;

/** TARGET:PATH arguments of the fs commands; TARGET is a PID or a container name ({@link Targets}). */
public final class TargetArg {
    private TargetArg() {}

    /** The description of every TARGET:PATH parameter. */
    public static final String DESCRIPTION = "A PID or a container name (as ps shows it), a colon, and a path inside "
            + "that process's root: 42:/var/www/html, web:/etc/nginx. A name holding ':' works as is before an absolute "
            + "path (my:app:/etc); elsewhere write its colons as \\: (my\\:app:etc).";

    /**
     * A TARGET:PATH argument. TARGET ends at the first ":/" (a container name never holds a '/', and a path inside
     * a root is absolute), so a name with colons works as is ({@code my:app:/etc}); before a relative or empty
     * path TARGET ends at the first colon not written {@code \\:} ({@code my\\:app:etc}). PATH reads the escapes taskscope prints ({@code \xff}, {@code \n}, {@code \\}: {@link Escape#unescape}),
     * so a name that is not UTF-8 or holds control characters can be named as a listing shows it.
     */
    public record TargetPath(String target, String path) {}

    public static TargetPath parsePath(String arg) {
        int colon = arg.indexOf(":/");
        if (colon < 0) {
            colon = arg.indexOf(':');
            while (colon > 0 && arg.charAt(colon - 1) == '\\') colon = arg.indexOf(':', colon + 1);
        }
        if (colon <= 0) {
            throw TaskscopeException.usage("'" + Escape.text(arg) + "' is not TARGET:PATH",
                    "write it like 42:/etc/passwd or web:/etc/nginx (PID or container, colon, path inside the container)");
        }
        String path = Escape.unescape(arg.substring(colon + 1));
        return new TargetPath(arg.substring(0, colon).replace("\\:", ":"), path.isEmpty() ? "/" : path);
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
