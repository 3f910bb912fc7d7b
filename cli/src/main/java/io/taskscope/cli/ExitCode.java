package io.taskscope.cli;

/** taskscope's exit codes; docs/cli.md documents them. */
public enum ExitCode {
    /** Success; for doctor, nothing failed; for fs diff, nothing differs. */
    OK(0),
    /** A runtime failure, a failed doctor check, a lint error, a drift found. */
    FAILURE(1),
    /** Bad input: unknown option, PID, container, column. */
    USAGE(2),
    /** A bug in taskscope (an unexpected exception). Please report it with --debug output. */
    INTERNAL(70);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
