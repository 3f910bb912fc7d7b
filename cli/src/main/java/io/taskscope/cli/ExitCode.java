package io.taskscope.cli;

/**
 * taskscope's exit codes, used by every command; docs/cli.md documents them and every command's --help lists
 * them. As in diff, grep and PMD, a check that ran and found something (drift, lint errors, a failed doctor check)
 * has its own code, apart from a run that failed.
 */
public enum ExitCode {
    /** Success; for doctor, nothing failed; for fs diff, nothing differs; for taskdef lint, no error. */
    OK(0, "success"),
    /** A runtime failure: the command could not do its work (no permission, no agent, I/O error, partial result). */
    FAILURE(1, "runtime failure: the command could not do its work"),
    /** Bad input: unknown command, option, PID, container, column. */
    USAGE(2, "usage error: unknown command, option, PID, container or column"),
    /** The command ran and found something: fs diff drift, taskdef lint errors, a doctor FAIL. */
    FOUND(3, "ran and found something: drift (fs diff), lint errors (taskdef lint), a failed check (doctor)"),
    /** A bug in taskscope (an unexpected exception). Please report it with --debug output. */
    INTERNAL(70, "a bug in taskscope: run again with --debug and report the stack trace"),
    /** stdout was a pipe whose reader left ('taskscope ps | head -1'): what a C tool killed by SIGPIPE gives. */
    PIPE(141, "the reader of standard output went away (as SIGPIPE gives)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** The "Exit codes:" footer every command's --help ends with. */
    public static String[] helpSection() {
        ExitCode[] all = values();
        String[] lines = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            String c = Integer.toString(all[i].code);
            lines[i] = "  " + "   ".substring(c.length()) + c + "  " + all[i].meaning;
        }
        return lines;
    }
}
