package io.taskscope.agent;

import io.taskscope.TaskscopeException;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.fs.FileWatcher;
import io.taskscope.task.Container;
import io.taskscope.task.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's inotify watches (TASKSCOPE_WATCH): one {@link FileWatcher} per container, on its main
 * process's root. No ptrace, no cost to the watched container. A container that is not there yet
 * (or a directory that does not exist yet) is retried after each process scan, with one warning.
 */
final class Watchers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchers.class);

    private final Map<String, List<AgentConfig.Watch>> pending = new LinkedHashMap<>();
    private final List<FileWatcher> active = new ArrayList<>();
    private final Set<String> warned = new HashSet<>();
    private final Consumer<FileChangeEvent> sink;
    private boolean closed;

    private Watchers(List<AgentConfig.Watch> watches, Consumer<FileChangeEvent> sink) {
        this.sink = sink;
        for (AgentConfig.Watch w : watches) pending.computeIfAbsent(w.container(), c -> new ArrayList<>()).add(w);
    }

    static Watchers start(List<AgentConfig.Watch> watches, Task task, Consumer<FileChangeEvent> sink) {
        Watchers w = new Watchers(watches, sink);
        w.refresh(task);
        return w;
    }

    /** Starts the watches whose container has appeared. Called after each scan that saw a change. */
    synchronized void refresh(Task task) {
        if (closed || pending.isEmpty() || task == null) return;
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Optional<Container> c = task.container(e.getKey());
            if (c.isEmpty()) {
                warnOnce("no container named '" + e.getKey() + "' (yet; known: " + task.containerNames()
                        + "); watching it when it appears");
                continue;
            }
            // One watcher per path: a path missing in the container (yet) must not hold back the others.
            for (AgentConfig.Watch w : List.copyOf(e.getValue())) {
                try {
                    active.add(FileWatcher.start(c.get().mainPid(), c.get().name(), List.of(w.path()), w.recursive(), sink));
                    log.info("watching {} in container {} (pid {})", w.path(), c.get().name(), c.get().mainPid());
                    e.getValue().remove(w);
                } catch (TaskscopeException ex) {
                    warnOnce("cannot watch " + w.path() + " in container " + c.get().name() + ": " + ex.oneLine()
                            + "; retrying after each process scan");
                }
            }
            if (e.getValue().isEmpty()) it.remove();
        }
    }

    private void warnOnce(String message) {
        if (warned.add(message)) log.warn("TASKSCOPE_WATCH: {}", message);
    }

    int active() {
        return active.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (FileWatcher w : active) w.close();
        active.clear();
    }
}
