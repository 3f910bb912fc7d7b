package io.taskscope.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.event.TaskIdentity;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-container counters, written every interval as CloudWatch embedded metric format (EMF) lines:
 * one JSON object per container whose {@code _aws} block tells CloudWatch Logs to extract
 * SyscallsTraced, SyscallsFailed, EventsDropped, ProcessesAttached and Alerts as metrics with the
 * dimension Container. Container names are the only dimension: PIDs or paths would create a
 * metric per value and a bill to match.
 *
 * <p>Counters are deltas over the interval (CloudWatch sums them); ProcessesAttached is the count
 * at the time of the line. Counting is lock-free: it runs on the tracer's thread.
 */
public final class Metrics {
    public static final String UNKNOWN_CONTAINER = "unknown";
    static final String[] NAMES = {"SyscallsTraced", "SyscallsFailed", "EventsDropped", "ProcessesAttached", "Alerts"};
    private static final JsonFactory JSON = io.taskscope.text.Escape.jsonFactory();

    private static final class Counters {
        final LongAdder syscalls = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder alerts = new LongAdder();
    }

    private final String namespace;
    private final long intervalSeconds;
    private final Map<String, Counters> byContainer = new ConcurrentHashMap<>();
    private final LongAdder droppedTotal = new LongAdder();

    private volatile Optional<TaskIdentity> identity = Optional.empty();

    /** The task the lines name, as EMF properties (docs/events.md: why they are not dimensions). */
    public void identity(Optional<TaskIdentity> task) {
        identity = task;
    }

    public Metrics(String namespace, long intervalSeconds) {
        this.namespace = namespace;
        this.intervalSeconds = intervalSeconds;
    }

    private Counters of(String container) {
        return byContainer.computeIfAbsent(container == null ? UNKNOWN_CONTAINER : container, c -> new Counters());
    }

    /** Counts an event the agent produced, whether or not it reaches stdout. */
    public void count(Event e) {
        if (e instanceof SyscallEvent s) {
            Counters c = of(s.container());
            c.syscalls.increment();
            if (s.failed()) c.failed.increment();
        } else if (e instanceof AlertEvent a) {
            of(a.container()).alerts.increment();
        }
    }

    /** Counts an event that was dropped because stdout could not keep up. */
    public void dropped(Event e) {
        String container = e instanceof SyscallEvent s ? s.container()
                : e instanceof ProcessEvent p ? p.container()
                : e instanceof AlertEvent a ? a.container() : null;
        of(container).dropped.increment();
        droppedTotal.increment();
    }

    public long droppedTotal() {
        return droppedTotal.sum();
    }

    /**
     * The EMF lines for the interval that ends now, one per container that had activity or has
     * attached processes, and resets the counters.
     *
     * @param attached processes traced right now, by container
     */
    public List<String> drain(long epochMillis, Map<String, Integer> attached) {
        Map<String, Traced> t = new java.util.HashMap<>();
        attached.forEach((c, n) -> t.put(c, new Traced(n, 0, 0, 0)));
        return drainTraced(epochMillis, t);
    }

    /**
     * What is traced in one container at the end of an interval.
     *
     * @param attached    processes attached
     * @param syscallMode of which in syscall mode now (escalated, selected, or in a budget's syscall spell)
     * @param coverageSum sum of the coverage (0..1) of the processes under a budget
     * @param budgeted    how many are under a budget
     */
    public record Traced(int attached, int syscallMode, double coverageSum, int budgeted) {
        public Traced plus(Traced o) {
            return new Traced(attached + o.attached, syscallMode + o.syscallMode, coverageSum + o.coverageSum,
                    budgeted + o.budgeted);
        }
    }

    /** As {@link #drain(long, Map)}, with each container's modes: ProcessesInSyscallMode and SyscallCoverage. */
    public List<String> drainTraced(long epochMillis, Map<String, Traced> traced) {
        Map<String, Traced> modes = new java.util.HashMap<>();
        traced.forEach((c, n) -> modes.merge(c == null ? UNKNOWN_CONTAINER : c, n, Traced::plus));
        Map<String, Integer> now = new java.util.HashMap<>();
        modes.forEach((c, n) -> now.put(c, n.attached()));
        TreeSet<String> containers = new TreeSet<>(byContainer.keySet());
        containers.addAll(now.keySet());
        List<String> lines = new ArrayList<>();
        for (String c : containers) {
            Counters k = byContainer.get(c);
            long[] v = new long[5];
            if (k != null) {
                v[0] = k.syscalls.sumThenReset();
                v[1] = k.failed.sumThenReset();
                v[2] = k.dropped.sumThenReset();
                v[4] = k.alerts.sumThenReset();
            }
            v[3] = now.getOrDefault(c, 0);
            // a container that went quiet and has nothing attached stops producing lines (and memory)
            if (v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 0 && v[4] == 0) {
                byContainer.remove(c);
                continue;
            }
            lines.add(line(epochMillis, c, v, modes.get(c)));
        }
        return lines;
    }

    String line(long epochMillis, String container, long[] values) {
        return line(epochMillis, container, values, null);
    }

    private String line(long epochMillis, String container, long[] values, Traced modes) {
        boolean coverage = modes != null && modes.budgeted() > 0;
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("v", Event.SCHEMA_VERSION);
            g.writeStringField("type", "metrics");
            g.writeStringField("time", io.taskscope.event.EventJson.time(epochMillis * 1_000_000L));
            g.writeNumberField("intervalSeconds", intervalSeconds);
            g.writeObjectFieldStart("_aws");
            g.writeNumberField("Timestamp", epochMillis);
            g.writeArrayFieldStart("CloudWatchMetrics");
            g.writeStartObject();
            g.writeStringField("Namespace", namespace);
            g.writeArrayFieldStart("Dimensions");
            g.writeStartArray();
            g.writeString("Container");
            g.writeEndArray();
            g.writeEndArray();
            g.writeArrayFieldStart("Metrics");
            for (String n : NAMES) {
                g.writeStartObject();
                g.writeStringField("Name", n);
                g.writeStringField("Unit", "Count");
                g.writeEndObject();
            }
            if (modes != null) metric(g, "ProcessesInSyscallMode", "Count");
            if (coverage) metric(g, "SyscallCoverage", "Percent");
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeStringField("Container", container);
            Optional<TaskIdentity> task = identity;
            if (task.isPresent()) task.get().writeEmfProperties(g);
            for (int i = 0; i < NAMES.length; i++) g.writeNumberField(NAMES[i], values[i]);
            if (modes != null) g.writeNumberField("ProcessesInSyscallMode", modes.syscallMode());
            // the average share of time the budgeted processes' syscall streams covered: what they can show
            if (coverage) g.writeNumberField("SyscallCoverage", Math.round(1000.0 * modes.coverageSum() / modes.budgeted()) / 10.0);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void metric(JsonGenerator g, String name, String unit) throws IOException {
        g.writeStartObject();
        g.writeStringField("Name", name);
        g.writeStringField("Unit", unit);
        g.writeEndObject();
    }

    /** For tests and the health reply: current (undrained) counts by container and metric. */
    public Map<String, Map<String, Long>> peek() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        byContainer.forEach((c, k) -> out.put(c, Map.of("SyscallsTraced", k.syscalls.sum(), "SyscallsFailed",
                k.failed.sum(), "EventsDropped", k.dropped.sum(), "Alerts", k.alerts.sum())));
        return out;
    }
}
