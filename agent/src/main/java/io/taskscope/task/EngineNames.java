package io.taskscope.task;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Names the container IDs found in cgroup paths through a container engine: {@link EngineClient} asks on every
 * call (what {@code taskscope ps} does once), {@link EngineCache} asks only about IDs it has not seen (the agent,
 * which regroups at every change of the PID set).
 */
public interface EngineNames {
    /**
     * The engine's container for each of {@code ids} it knows (IDs it does not know are absent). A failure is one
     * line added to {@code warnings}, never an exception: the IDs not named then keep their short IDs.
     */
    Map<String, EngineContainer> names(Collection<String> ids, List<String> warnings);
}
