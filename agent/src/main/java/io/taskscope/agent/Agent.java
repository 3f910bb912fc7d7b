package io.taskscope.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.TaskscopeException;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.decode.SyscallTable;
import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import io.taskscope.event.EventJson;
import io.taskscope.event.TaskIdentity;
import io.taskscope.event.EventQueue;
import io.taskscope.rules.RuleEngine;
import io.taskscope.rules.RuleSet;
import io.taskscope.trace.TraceOptions;
import io.taskscope.trace.TracedProcess;
import io.taskscope.trace.Tracer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: discovers the task's processes, traces the selected ones, and writes every event as a
 * JSON line on stdout, with alerts from the rules and an EMF metrics line per container every interval.
 *
 * <pre>
 *  tracer thread ──offer──► EventQueue (bounded) ──► dispatch thread (taskscope-rules): RulesSink
 *  watcher threads            full: drop + count      rules ──► alerts, then each event and its alerts to:
 *                                                       ├──► metrics counters
 *                                                       ├──► control socket subscribers (each its own queue)
 *                                                       └──► EventQueue (bounded) ──► writer thread ──► stdout
 *  discovery thread: /proc scan every scanInterval ──► tracer.attach
 *  metrics thread:   every interval ──► EMF lines on stdout
 * </pre>
 *
 * The tracer thread never waits for output: a stdout nobody reads costs events (counted, reported
 * as drop events and in the metrics), never the traced processes' time.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final RuleSet rules;
    private final Metrics metrics;
    private final Writer out;
    private final Object outLock = new Object();
    private final long startMillis = System.currentTimeMillis();
    private final SyscallTable table = SyscallTable.current();
    private final EventQueue queue;
    private final EventQueue dispatch;
    private final Discovery discovery;
    private RuleFilter ruleFilter;
    private final ScheduledExecutorService scheduler;
    private Tracer tracer;
    private volatile ControlServer control;
    private Watchers watchers;
    private Escalation policy;
    private Budget budget;
    private SubscriberModes relayModes;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    /** The task every event and metrics line names (docs/events.md); empty off ECS. */
    private volatile Optional<TaskIdentity> identity = Optional.empty();

    private Agent(AgentConfig config, RuleSet rules, OutputStream stdout) {
        this.config = config;
        this.rules = rules;
        this.metrics = new Metrics(config.metricsNamespace(), config.metricsInterval().toSeconds());
        this.out = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), 1 << 16);
        this.queue = new EventQueue(config.queueCapacity(), this::write, true);
        this.discovery = new Discovery(config);
        AgentRuleEnv env = new AgentRuleEnv(discovery::task, discovery::containerOf, io.taskscope.proc.ProcPath.system());
        Sink outputs = Sink.all(List.of(this::escalate, metrics::count, this::publish, this::toStdout));
        Sink rulesStage = new RulesSink(new RuleEngine(rules, env, env), outputs);
        // The agent never reveals a secret: every event is redacted (argv, execve, written strings) before the
        // rules, metrics, subscribers and stdout see it, on the dispatch thread, not the tracer's.
        this.dispatch = new EventQueue(config.queueCapacity(), e -> rulesStage.accept(io.taskscope.env.Redaction.event(e)),
                true, "taskscope-rules");
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "taskscope-discovery");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Validates everything (the filter, the socket, the watch targets), then starts tracing. On a
     * failure nothing is left running.
     */
    public static Agent start(AgentConfig config, RuleSet rules, OutputStream stdout) {
        // TASKSCOPE_FILTER plus the syscalls the rules need: a process in syscall mode feeds every rule (RuleFilter)
        RuleFilter ruleFilter = RuleFilter.of(config.filter(), rules);
        SyscallFilter filter = filter(ruleFilter.expressions());
        Agent a = new Agent(config, rules, stdout);
        a.ruleFilter = ruleFilter;
        try {
            a.control = ControlServer.start(config.socket(), a.new ControlHandler());
            // docs/modes.md: lifecycle mode for all, syscall mode for the escalated and the selected (budgeted)
            a.policy = new Escalation(config.modes());
            TraceOptions options = TraceOptions.defaults().withFilter(filter).withStringLimit(config.stringLimit())
                    .withFollowForks(config.follow()).withProcessEvents(true)
                    .withContainerOf(pid -> a.discovery.containerOf(pid))
                    .withMode(config.modes().base()).withModePolicy(a.policy);
            a.tracer = Tracer.start(options, a::offer);
            a.relayModes = new SubscriberModes(() -> a.tracer, a.policy);
            if (config.modes().budgeted() && !config.modes().syscall().isEmpty()) {
                a.budget = new Budget(config.modes().budget(), () -> a.tracer, a.policy);
                a.scheduler.scheduleWithFixedDelay(a::budgetTick, Budget.TICK_NANOS, Budget.TICK_NANOS, TimeUnit.NANOSECONDS);
            }
            a.discovery.reportForeignTracers(a::offer); // a neighbour that becomes a tracer: seen in TracerPid
            // the task's identity before the first attach, so that the first events carry it too
            a.discovery.refreshMetadata();
            a.refreshIdentity();
            // the processes there at start are attached before we say we are up
            a.discovery.scan(a.tracer).orTimeout(2, TimeUnit.SECONDS).exceptionally(x -> null).join();
            a.refreshIdentity();
            a.watchers = Watchers.start(config.watch(), a.discovery.task(), a::offer)
                    .sensitive(config.modes().sensitive(), config); // opens of /etc/shadow & co., no syscall stop
            long scanMs = config.scanInterval().toMillis();
            a.scheduler.scheduleWithFixedDelay(a::scanQuietly, scanMs, scanMs, TimeUnit.MILLISECONDS);
            Duration mi = config.metricsInterval();
            if (!mi.isZero()) {
                a.scheduler.scheduleAtFixedRate(a::writeMetrics, mi.toMillis(), mi.toMillis(), TimeUnit.MILLISECONDS);
            }
            log.info("{}", ruleFilter.describe()); // started: which syscalls the rules added to TASKSCOPE_FILTER
            return a;
        } catch (RuntimeException e) {
            a.stop();
            throw e;
        }
    }

    /** Parses the strace filter now, so that a typo stops the agent at start with strace's message. */
    public static SyscallFilter filter(List<String> expressions) {
        try {
            SyscallFilter f = SyscallFilter.parse(expressions);
            f.selection(SyscallTable.current());
            return f;
        } catch (TaskscopeException e) {
            throw TaskscopeException.runtime("TASKSCOPE_FILTER / trace.filter: " + e.getMessage(), e.fix(), e);
        }
    }

    // ---------------------------------------------------------------- the event path

    /**
     * The tracer's and the watchers' sink: only a hand-off to the dispatch thread, which runs the rules and
     * the sinks after the tracee has been resumed. Never blocks; a full queue drops the event and counts it.
     */
    boolean offer(Event e) {
        boolean queued = dispatch.offer(e);
        if (!queued) metrics.dropped(e);
        return queued;
    }

    /** The control socket's subscribers (each has its own bounded queue). */
    private void publish(Event e) {
        ControlServer c = control;
        if (c != null) c.publish(e);
    }

    /** Stdout, through the writer's bounded queue: a blocked stdout costs events, never the rules' time. */
    private void toStdout(Event e) {
        if (!queue.offer(e)) metrics.dropped(e);
    }

    /**
     * A rule that fires on a process's exec names a process worth a full trace: it is escalated (syscall mode,
     * descendants too, no budget) from here on (rules run on the dispatch thread, so shortly after the exec stop).
     * Built-in conditions (Escalation) act at the exec stop itself.
     */
    private void escalate(Event e) {
        if (!(e instanceof AlertEvent a)) return;
        if (tracer == null || !config.modes().escalate() || !(a.trigger() instanceof io.taskscope.event.ProcessEvent p)
                || p.kind() != io.taskscope.event.ProcessEvent.Kind.EXEC || "syscall".equals(p.mode())) return;
        tracer.setMode(p.pid(), io.taskscope.trace.TraceMode.SYSCALL, true, false, "escalated: rule " + a.rule());
    }

    private void budgetTick() {
        try {
            budget.tick();
        } catch (RuntimeException e) {
            log.warn("budget tick failed: {}", e.toString());
        }
    }

    private void refreshIdentity() {
        Optional<TaskIdentity> now = TaskIdentity.of(discovery.metadata());
        if (!now.equals(identity)) {
            identity = now;
            metrics.identity(now);
        }
    }

    /** The writer thread: may block on a slow stdout, which is why it is not the tracer thread. */
    private void write(Event e) {
        synchronized (outLock) {
            try {
                Optional<TaskIdentity> task = identity;
                String json = EventJson.toJson(e);
                out.write(task.isPresent() ? task.get().addTo(json) : json);
                out.write('\n');
                if (queue.backlog() == 0) out.flush(); // batch writes while a burst is queued
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
    }

    private void writeLines(List<String> lines) {
        synchronized (outLock) {
            try {
                for (String l : lines) {
                    out.write(l);
                    out.write('\n');
                }
                out.flush();
            } catch (IOException ex) {
                log.warn("cannot write metrics to stdout: {}", ex.toString());
            }
        }
    }

    private void writeMetrics() {
        writeMetrics(tracedByContainer());
    }

    private void writeMetrics(Map<String, Metrics.Traced> attached) {
        try {
            writeLines(metrics.drainTraced(System.currentTimeMillis(), attached));
        } catch (RuntimeException e) {
            log.warn("metrics failed: {}", e.toString());
        }
    }

    private Map<String, Metrics.Traced> tracedByContainer() {
        Map<String, Metrics.Traced> n = new HashMap<>();
        if (tracer == null) return n;
        long now = System.nanoTime();
        for (TracedProcess p : tracer.tracees()) {
            io.taskscope.trace.ModeStats m = p.mode();
            boolean syscall = m != null && m.mode() == io.taskscope.trace.TraceMode.SYSCALL;
            boolean budgeted = m != null && !m.escalated() && policy != null && budget != null
                    && policy.continuous().contains(p.pid());
            n.merge(p.container(), new Metrics.Traced(1, syscall ? 1 : 0, budgeted ? m.coverage(now) : 0,
                    budgeted ? 1 : 0), Metrics.Traced::plus);
        }
        return n;
    }

    private void scanQuietly() {
        try {
            discovery.scan(tracer);
            refreshIdentity();
            watchers.refresh(discovery.task());
        } catch (RuntimeException e) {
            log.warn("process scan failed: {}", e.toString(), e);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    public boolean tracerAlive() {
        return tracer != null && tracer.isAlive();
    }

    public List<TracedProcess> tracees() {
        return tracer == null ? List.of() : tracer.tracees();
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops in the order that keeps the promise to the neighbours: first stop attaching, then detach
     * everything (the tracer does it within 500 ms), then flush what is queued, then the final metrics
     * line. Output that cannot be written within a second (a blocked stdout) is given up, not waited for.
     * Idempotent.
     */
    public void stop() {
        synchronized (this) {
            if (stopping) return;
            stopping = true;
        }
        long t0 = System.nanoTime();
        scheduler.shutdownNow();
        if (watchers != null) watchers.close();
        // the final metrics line reports what was attached during its interval, not the zero after detaching
        Map<String, Metrics.Traced> attached = tracedByContainer();
        if (tracer != null) tracer.close();
        long detachMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        dispatch.close(500); // the rules and sinks take what the tracer gave them before it stopped
        if (control != null) control.close();
        boolean flushed = queue.close(700);
        Thread last = new Thread(() -> writeMetrics(attached), "taskscope-final-metrics");
        last.setDaemon(true);
        last.start();
        try {
            last.join(300);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        // An agent that never got up (a bad TASKSCOPE_SOCKET) says only why, in one line, not that it stopped.
        if (tracer != null) log.info("stopped: detached in {} ms, output {}; {} events dropped in total", detachMs,
                flushed && !last.isAlive() ? "flushed" : "NOT flushed (stdout blocked)", metrics.droppedTotal());
        stopped.countDown();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Catches SIGTERM and SIGINT from now on (ECS stopping the task sends SIGTERM) into the returned latch, for
     * {@link #runUntilSignalled(CountDownLatch)}. Called before {@link #start}: the control socket answers during
     * the start, and a SIGTERM sent then must still end in a clean stop and exit 0, not the JVM's default 143.
     * sun.misc.Signal (jdk.unsupported) rather than a shutdown hook alone: a hook runs after the JVM has decided
     * to exit with 143; handling the signal lets us finish and exit 0.
     */
    public static CountDownLatch catchStopSignals() {
        CountDownLatch signalled = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signalled.countDown());
        }
        return signalled;
    }

    /**
     * Runs until {@code signalled} (from {@link #catchStopSignals()}), then stops cleanly and returns, so that the
     * process exits 0. A JVM shutdown hook still detaches on any other exit.
     */
    public void runUntilSignalled(CountDownLatch signalled) throws InterruptedException {
        Thread hook = new Thread(this::stop, "taskscope-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        signalled.await();
        log.info("signal received: detaching");
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    // ---------------------------------------------------------------- control socket

    private final class ControlHandler implements ControlServer.Handler {
        @Override
        public Map<String, Object> health() {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("pid", ProcessHandle.current().pid());
            h.put("uptimeSeconds", (System.currentTimeMillis() - startMillis) / 1000);
            h.put("tracerAlive", tracerAlive());
            h.put("tracees", tracees().size());
            h.put("dropped", metrics.droppedTotal());
            h.put("backlog", queue.backlog());
            h.put("subscribers", control == null ? 0 : control.subscribers());
            h.put("rules", rules.size());
            h.put("filter", ruleFilter.expressions()); // what a relayed 'taskscope trace' can see at most
            if (tracer != null) tracer.failure().ifPresent(f -> h.put("tracerFailure", f.toString()));
            return h;
        }

        @Override
        public List<Map<String, Object>> ps() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (TracedProcess p : tracees()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pid", p.pid());
                m.put("comm", p.comm());
                m.put("container", p.container());
                m.put("threads", p.threads());
                io.taskscope.trace.ModeStats mode = p.mode();
                if (mode != null) {
                    m.put("mode", mode.mode().label());
                    m.put("escalated", mode.escalated());
                    if (mode.reason() != null) m.put("reason", mode.reason());
                    if (budget != null && !mode.escalated() && policy.continuous().contains(p.pid())) {
                        m.put("coverage", Math.round(mode.coverage(System.nanoTime()) * 1000) / 1000.0);
                    }
                }
                out.add(m);
            }
            return out;
        }

        @Override
        public Predicate<Event> subscription(JsonNode request) {
            Subscription sub = Subscription.fromRequest(request);
            Predicate<Event> p = sub.predicate(table);
            if (relayModes != null) relayModes.acquire(sub.pids()); // lifecycle-mode pids: syscalls while relayed
            return p;
        }

        @Override
        public void unsubscribed(JsonNode request) {
            if (relayModes != null) relayModes.release(Subscription.fromRequest(request).pids());
        }
    }
}
