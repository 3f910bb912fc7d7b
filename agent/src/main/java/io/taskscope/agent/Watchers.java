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
 *
 * <p>And the sensitive-file watches ({@link #sensitive}, TASKSCOPE_SENSITIVE_FILES): opens and reads of
 * /etc/shadow, ~/.ssh... in every selected container, one {@link FileWatcher#sensitive} per container. A path
 * a container lacks is no warning; it is looked for again after each scan, and a container that restarts
 * (its watched process gone) is watched again on its new root.
 */
final class Watchers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchers.class);

    private final Map<String, List<AgentConfig.Watch>> pending = new LinkedHashMap<>();
    private final List<FileWatcher> active = new ArrayList<>();
    private final Set<String> warned = new HashSet<>();
    private final Consumer<FileChangeEvent> sink;
    private boolean closed;
    private Task last;
    private List<String> sensitivePaths = List.of();
    private AgentConfig sensitiveConfig;
    /** Sensitive watches by container name, with the pid whose root they watch. */
    private final Map<String, Rooted> sensitive = new LinkedHashMap<>();

    /** A container's sensitive-file watcher, on the root of {@code pid}; {@code lookedAt}: its last rewatch. */
    private static final class Rooted {
        final int pid;
        final FileWatcher watcher;
        long lookedAt = System.nanoTime();

        Rooted(int pid, FileWatcher watcher) {
            this.pid = pid;
            this.watcher = watcher;
        }
    }

    /**
     * How often missing sensitive paths are looked for again: each look is an openat2 per missing path in the
     * container's root, and most of the default list is missing in most containers (/root/.aws/credentials...):
     * at every 500 ms scan that was half of the idle agent's CPU (3 of 6 ms a second, measured on the lab).
     */
    static final long REWATCH_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private long rewatchNanos = REWATCH_NANOS;

    /** Tests: look for missing sensitive paths at every scan. */
    Watchers rewatchEvery(java.time.Duration d) {
        rewatchNanos = d.toNanos();
        return this;
    }

    private Watchers(List<AgentConfig.Watch> watches, Consumer<FileChangeEvent> sink) {
        this.sink = sink;
        for (AgentConfig.Watch w : watches) pending.computeIfAbsent(w.container(), c -> new ArrayList<>()).add(w);
    }

    static Watchers start(List<AgentConfig.Watch> watches, Task task, Consumer<FileChangeEvent> sink) {
        Watchers w = new Watchers(watches, sink);
        w.refresh(task);
        return w;
    }

    /**
     * Also watches {@code paths} (files or directories, absolute inside each container) for opens and reads in
     * every container {@code config} selects processes in (never the monitor's own or infrastructure), from the
     * last scan on; the agent calls it once after {@link #start}. Events: {@code file} with kind {@code open} or
     * {@code access}, naming the container and the path, not the process (docs/events.md). An empty list watches
     * nothing.
     */
    synchronized Watchers sensitive(List<String> paths, AgentConfig config) {
        this.sensitivePaths = List.copyOf(paths);
        this.sensitiveConfig = config;
        refreshSensitive(last);
        return this;
    }

    /** Starts the watches whose container has appeared. Called after each process scan. */
    synchronized void refresh(Task task) {
        if (task != null) last = task;
        refreshSensitive(task);
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

    private void refreshSensitive(Task task) {
        if (closed || task == null || sensitivePaths.isEmpty()) return;
        Set<String> seen = new HashSet<>();
        for (Container c : task.containers()) {
            if (c.self() || c.infrastructure() || !selects(sensitiveConfig, c.name())) continue;
            seen.add(c.name());
            Rooted r = sensitive.get(c.name());
            if (r != null && c.pids().contains(r.pid)) {
                long now = System.nanoTime();
                if (now - r.lookedAt >= rewatchNanos) {
                    r.lookedAt = now;
                    r.watcher.rewatch(); // paths that were missing, or deleted: there now?
                }
                continue;
            }
            if (r != null) r.watcher.close(); // the process whose root we watched is gone (restart)
            sensitive.remove(c.name());
            try {
                FileWatcher w = FileWatcher.sensitive(c.mainPid(), c.name(), sensitivePaths, sink);
                sensitive.put(c.name(), new Rooted(c.mainPid(), w));
                log.info("watching opens of {} in container {} (pid {})", w.watchedPaths().isEmpty() ? "none of the "
                        + "sensitive files yet" : String.join(", ", w.watchedPaths()), c.name(), c.mainPid());
            } catch (TaskscopeException ex) {
                warnOnce("TASKSCOPE_SENSITIVE_FILES", "cannot watch sensitive files in container " + c.name() + ": "
                        + ex.oneLine() + "; retrying after each process scan");
            }
        }
        for (var it = sensitive.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (seen.contains(e.getKey())) continue;
            e.getValue().watcher.close(); // the container is gone
            it.remove();
        }
    }

    /** Whether any selector can select processes of this container (a selector without containers selects all). */
    static boolean selects(AgentConfig config, String container) {
        return config.select().isEmpty() || config.select().stream()
                .anyMatch(s -> s.containers().isEmpty() || s.containers().stream().anyMatch(g -> g.matches(container)));
    }

    /** The sensitive paths watched now in a container (for tests and diagnostics). */
    synchronized List<String> sensitiveWatched(String container) {
        Rooted r = sensitive.get(container);
        return r == null ? List.of() : r.watcher.watchedPaths();
    }

    private void warnOnce(String message) {
        warnOnce("TASKSCOPE_WATCH", message);
    }

    private void warnOnce(String setting, String message) {
        if (warned.add(message)) log.warn("{}: {}", setting, message);
    }

    int active() {
        return active.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (FileWatcher w : active) w.close();
        active.clear();
        for (Rooted r : sensitive.values()) r.watcher.close();
        sensitive.clear();
    }
}
