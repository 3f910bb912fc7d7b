package io.taskscope.fs;

import io.taskscope.TaskscopeException;

/**
 * A refused or failed access to a neighbour's file system, with a machine-readable reason (tests
 * and the agent tell an escape attempt from a missing file by it).
 */
public final class FsException extends TaskscopeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        NOT_FOUND, ESCAPE_REFUSED, MAGIC_LINK_REFUSED, SYMLINK_LOOP, NOT_A_DIRECTORY, IS_A_DIRECTORY, NOT_REGULAR,
        PERMISSION, TARGET_GONE, TOO_LARGE, BAD_PATH, OTHER
    }

    private final Reason reason;

    FsException(Reason reason, Kind kind, String problem, String fix) {
        super(kind, problem, fix, null);
        this.reason = reason;
    }

    static FsException runtime(Reason reason, String problem, String fix) {
        return new FsException(reason, Kind.RUNTIME, problem, fix);
    }

    static FsException usage(Reason reason, String problem, String fix) {
        return new FsException(reason, Kind.USAGE, problem, fix);
    }

    public Reason reason() {
        return reason;
    }
}
