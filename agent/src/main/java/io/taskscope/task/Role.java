package io.taskscope.task;

/** What a process is there for. Everything but {@link #APP} is set apart in listings. */
public enum Role {
    /** A workload process: what the user came to look at. */
    APP,
    /** The monitor itself (this JVM). */
    SELF,
    /**
     * The pause process: PID 1 of a task's shared PID namespace, holding it open (ECS and Kubernetes
     * {@code /pause}, podman's pod infra container {@code catatonit -P}).
     */
    PAUSE,
    /** An init the engine injected as a container's first process ({@code docker run --init}'s docker-init). */
    INIT,
    /** ECS Exec / SSM agents, run from {@code /managed-agents/}. */
    AGENT,
    /** A kernel thread (only visible with {@code --pid=host}). */
    KERNEL;

    /** Infrastructure: present in every task, never a target by default. */
    public boolean infrastructure() {
        return this != APP;
    }

    /** Lower-case name, as printed and in JSON. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
