package io.taskscope.agent;

import io.taskscope.TaskscopeException;
import io.taskscope.event.Event;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.proc.ProcessTable;
import io.taskscope.task.Container;
import io.taskscope.task.EcsMetadataClient;
import io.taskscope.task.EcsTaskMetadata;
import io.taskscope.task.EngineCache;
import io.taskscope.task.EngineClient;
import io.taskscope.task.Role;
import io.taskscope.task.Task;
import io.taskscope.trace.TracedProcess;
import io.taskscope.trace.Tracer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the processes to trace: a /proc scan at start and every scan interval (the tracer follows
 * forks of traced processes itself, at once). Never selects the monitor's own container, the pause
 * process, the ECS Exec/SSM agents or kernel threads, whatever the selectors say.
 *
 * <p>A process that cannot be traced (someone else traces it, it is our ancestor...) is reported
 * once and not retried while it lives: keyed by pid and start time, so a reused PID is a new process.
 */
final class Discovery {
    private static final Logger log = LoggerFactory.getLogger(Discovery.class);
    private static final long METADATA_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AgentConfig config;
    private final ProcPath proc;
    private final Optional<EcsMetadataClient> ecs;
    private final java.util.function.Supplier<Optional<EngineClient>> findEngine;
    private Optional<EngineCache> engine = Optional.empty();
    private Optional<EcsTaskMetadata> metadata = Optional.empty();
    private long metadataAt;
    private int[] lastPids = new int[0];
    private Map<Integer, String> untracedExe = Map.of();
    private final Set<String> warned = new HashSet<>();
    private final Map<Long, String> refused = new ConcurrentHashMap<>();
    private final Set<Integer> pending = ConcurrentHashMap.newKeySet();
    private volatile Task task;
    private volatile Map<Integer, String> containerByPid = Map.of();
    private ForeignTracers tracers;

    Discovery(AgentConfig config) {
        this(config, ProcPath.system(), EcsMetadataClient.fromEnvironment(), () -> EngineClient.find(System.getenv()));
    }

    Discovery(AgentConfig config, ProcPath proc, Optional<EcsMetadataClient> ecs) {
        this(config, proc, ecs, Optional::empty);
    }

    /**
     * {@code findEngine}: the container engine's API socket, if any ({@link EngineClient#find}), looked for again at
     * each regrouping while there is none. Containers are then named as {@code taskscope ps} names them (compose
     * service, Kubernetes container name, engine name); the engine is asked only about containers it has not named
     * yet ({@link EngineCache}), on the thread that scans, never the tracer's, and a failure is a warning.
     */
    Discovery(AgentConfig config, ProcPath proc, Optional<EcsMetadataClient> ecs,
              java.util.function.Supplier<Optional<EngineClient>> findEngine) {
        this.config = config;
        this.proc = proc;
        this.ecs = ecs;
        this.findEngine = findEngine;
    }

    /**
     * From now on, each scan checks the TracerPid of the task's processes and reports a process traced by anyone
     * but this agent as a {@code process} event of kind {@code traced} ({@link ForeignTracers}). The agent calls
     * it once, before the first scan, with its event path.
     */
    synchronized void reportForeignTracers(Consumer<? super Event> sink) {
        tracers = new ForeignTracers(proc, sink);
    }

    /** The latest snapshot (null before the first scan). */
    Task task() {
        return task;
    }

    /**
     * The container of a pid, for the tracer (at attach and for each new child): from the last scan,
     * else the parent's (a fork child is where its parent is). Never blocks on anything but /proc.
     */
    String containerOf(int pid) {
        String c = containerByPid.get(pid);
        if (c != null) return c;
        int ppid = ppid(pid);
        return ppid > 0 ? containerByPid.get(ppid) : null;
    }

    private int ppid(int pid) {
        try {
            String stat = Files.readString(proc.file(pid, "stat"));
            // comm may hold spaces and ')': the fields after the last ')' are "state ppid ..."
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Integer.parseInt(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * One scan: attaches to every selected process not traced yet. Returns a future that completes
     * when those attaches are done (successful or not).
     */
    synchronized CompletableFuture<Void> scan(Tracer tracer) {
        int[] pids = ProcessTable.listPids(proc);
        Arrays.sort(pids);
        // Nothing new: the same PIDs, and none of the untraced ones has exec'd since (an entrypoint's
        // 'exec "$@"' keeps its PID and becomes the program a selector names).
        if (task != null && Arrays.equals(pids, lastPids) && !execedSinceLastScan()) {
            if (tracers != null) tracers.sweep(task);
            return CompletableFuture.completedFuture(null);
        }
        lastPids = pids;
        refreshMetadata();
        List<String> warnings = new ArrayList<>();
        if (engine.isEmpty()) engine = findEngine.get().map(EngineCache::new);
        Task t = Task.of(proc, ProcessTable.snapshot(proc), metadata, engine, warnings);
        for (String w : warnings) if (warned.add(w)) log.warn("{}", w);
        Map<Integer, String> names = new HashMap<>();
        for (Container c : t.containers()) for (int pid : c.pids()) names.put(pid, c.name());
        containerByPid = names;
        task = t;
        if (tracers != null) tracers.snapshot(t);

        Set<Integer> traced = new HashSet<>();
        for (TracedProcess p : tracer.tracees()) traced.add(p.pid());
        Set<Integer> alive = new HashSet<>();
        List<CompletableFuture<?>> attaches = new ArrayList<>();
        for (ProcessInfo p : t.processes()) {
            alive.add(p.pid());
            if (!eligible(t, p) || traced.contains(p.pid()) || pending.contains(p.pid())) continue;
            long key = key(p);
            if (refused.containsKey(key)) continue;
            Container c = t.containerOf(p.pid()).orElseThrow();
            if (!config.selects(c.name(), p.command(), exe(p))) continue;
            pending.add(p.pid());
            int pid = p.pid();
            attaches.add(tracer.attach(pid).whenComplete((tp, ex) -> {
                pending.remove(pid);
                if (ex == null) {
                    log.info("tracing pid {} ({}) in container {}", pid, tp.comm(), c.name());
                    return;
                }
                Throwable cause = ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null ? ex.getCause() : ex;
                String why = cause instanceof TaskscopeException te ? te.oneLine() : cause.toString();
                refused.put(key, why);
                // the tracer may have taken it through a fork event meanwhile: not worth a warning
                if (tracer.tracees().stream().noneMatch(x -> x.pid() == pid)) {
                    log.warn("not tracing pid {} ({}) in container {}: {}", pid, p.comm(), c.name(), why);
                }
            }));
        }
        refused.keySet().removeIf(k -> !alive.contains((int) (k >>> 32)));
        // What each untraced candidate runs now; a scan with the same PIDs compares against it.
        Map<Integer, String> exes = new HashMap<>();
        for (ProcessInfo p : t.processes()) {
            if (eligible(t, p) && !traced.contains(p.pid()) && !pending.contains(p.pid())) exes.put(p.pid(), readExe(p.pid()));
        }
        untracedExe = exes;
        return CompletableFuture.allOf(attaches.toArray(CompletableFuture[]::new));
    }

    private boolean execedSinceLastScan() {
        for (Map.Entry<Integer, String> e : untracedExe.entrySet()) {
            if (!java.util.Objects.equals(readExe(e.getKey()), e.getValue())) return true;
        }
        return false;
    }

    private String readExe(int pid) {
        try {
            return Files.readSymbolicLink(proc.file(pid, "exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Infrastructure and our own container are never traced, whatever the selectors say. */
    static boolean eligible(Task t, ProcessInfo p) {
        if (t.role(p.pid()) != Role.APP || p.zombie() || p.kernelThread()) return false;
        Optional<Container> c = t.containerOf(p.pid());
        return c.isPresent() && !c.get().self() && !c.get().infrastructure();
    }

    private static long key(ProcessInfo p) {
        return ((long) p.pid() << 32) ^ (p.startTicks() & 0xffffffffL);
    }

    private String exe(ProcessInfo p) {
        boolean needed = config.select().stream().anyMatch(s -> !s.exes().isEmpty());
        if (!needed) return null;
        return readExe(p.pid());
    }

    /** Fetches the ECS metadata unless fresh (every scan does; the agent also before its first, for the events' task). */
    synchronized void refreshMetadata() {
        if (ecs.isEmpty()) return;
        long now = System.nanoTime();
        if (metadata.isPresent() && now - metadataAt < METADATA_REFRESH_NANOS) return;
        try {
            metadata = Optional.of(Task.fetchMetadata(ecs.get(), proc));
            metadataAt = now;
        } catch (TaskscopeException e) {
            if (warned.add(e.oneLine())) log.warn("ECS metadata: {}; grouping by namespace meanwhile", e.oneLine());
        }
    }

    /** The task metadata of the last refresh; empty off ECS or while the endpoint fails. */
    Optional<EcsTaskMetadata> metadata() {
        return metadata;
    }

    /** Processes that could not be traced, with why (for diagnostics). */
    Map<Long, String> refused() {
        return Map.copyOf(refused);
    }

}
