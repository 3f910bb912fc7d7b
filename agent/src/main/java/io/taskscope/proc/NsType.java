package io.taskscope.proc;

import java.util.Optional;

/** The namespace types of {@code /proc/<pid>/ns}, in lsns's order. */
public enum NsType {
    PID("pid"),
    PID_FOR_CHILDREN("pid_for_children"),
    MNT("mnt"),
    NET("net"),
    UTS("uts"),
    IPC("ipc"),
    USER("user"),
    CGROUP("cgroup"),
    TIME("time");

    private final String file;

    NsType(String file) {
        this.file = file;
    }

    /** The link's name under {@code /proc/<pid>/ns}, also the name lsns prints. */
    public String file() {
        return file;
    }

    public static Optional<NsType> byName(String name) {
        for (NsType t : values()) if (t.file.equals(name)) return Optional.of(t);
        return Optional.empty();
    }
}
