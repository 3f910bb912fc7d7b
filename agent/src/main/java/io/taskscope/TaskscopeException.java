package io.taskscope;

/**
 * A failure the user can act on: a problem and, when we know it, the fix.
 *
 * <p>The CLI prints {@link #oneLine()} on stderr and exits 2 for {@link Kind#USAGE} and 1 for
 * {@link Kind#RUNTIME}; the stack trace is shown only with {@code --debug}. Anything else that
 * escapes a command is a bug and is reported as such.
 */
public class TaskscopeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Whether the user asked for something impossible (usage) or the system refused (runtime). */
    public enum Kind { USAGE, RUNTIME }

    private final Kind kind;
    private final String fix;

    public TaskscopeException(Kind kind, String problem, String fix, Throwable cause) {
        super(problem, cause);
        this.kind = kind;
        this.fix = fix;
    }

    /** Bad input: unknown PID, unknown container, malformed option. Exit 2. */
    public static TaskscopeException usage(String problem, String fix) {
        return new TaskscopeException(Kind.USAGE, problem, fix, null);
    }

    /** The system said no: permission, a vanished process, a missing kernel feature. Exit 1. */
    public static TaskscopeException runtime(String problem, String fix) {
        return new TaskscopeException(Kind.RUNTIME, problem, fix, null);
    }

    public static TaskscopeException runtime(String problem, String fix, Throwable cause) {
        return new TaskscopeException(Kind.RUNTIME, problem, fix, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The fix, or null when there is nothing the user can do. */
    public String fix() {
        return fix;
    }

    /** "problem; fix" on one line, newlines from hostile input folded away. */
    public String oneLine() {
        String line = fix == null || fix.isEmpty() ? getMessage() : getMessage() + "; " + fix;
        return line.replace('\n', ' ').replace('\r', ' ');
    }
}
