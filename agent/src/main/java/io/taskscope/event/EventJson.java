package io.taskscope.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Writes any {@link Event} as one JSON object on one line (JSON lines): the format of
 * {@code taskscope trace --json} and of the agent's stdout (CloudWatch Logs parses each line).
 *
 * <p>Every object starts with {@code "v"} ({@link Event#SCHEMA_VERSION}), {@code "type"} and
 * {@code "time"} (RFC 3339, UTC, microseconds). Fields whose value is unknown (null) are left out
 * rather than written as null, which keeps lines short; consumers treat a missing field as unknown.
 * Strings from neighbours (paths, argv, comm) are hostile input: Jackson escapes every control
 * character, so one event is always exactly one line.
 */
public final class EventJson {
    private static final JsonFactory FACTORY = io.taskscope.text.Escape.jsonFactory();

    private EventJson() {}

    /** The event as one JSON object, without a trailing newline. */
    public static String toJson(Event event) {
        var out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writeObject(g, event, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes the event and a newline. Does not flush. */
    public static void writeLine(Event event, Writer out) throws IOException {
        out.write(toJson(event));
        out.write('\n');
    }

    /** RFC 3339 UTC with microseconds: "2026-11-23T20:31:02.123456Z". */
    public static String time(long epochNanos) {
        Instant i = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
        String s = i.toString(); // ISO-8601, variable fraction length
        int dot = s.indexOf('.');
        String base = dot < 0 ? s.substring(0, s.length() - 1) : s.substring(0, dot);
        long micros = Math.floorMod(epochNanos, 1_000_000_000L) / 1000;
        return base + String.format(Locale.ROOT, ".%06dZ", micros);
    }

    /** RFC 3339 UTC with nanoseconds, as Falco writes an alert's time: "2026-11-23T20:31:02.123456789Z". */
    public static String falcoTime(long epochNanos) {
        String t = time(epochNanos);
        return t.substring(0, t.length() - 1) + String.format(Locale.ROOT, "%03dZ", Math.floorMod(epochNanos, 1000L));
    }

    private static void writeObject(JsonGenerator g, Event event, boolean top) throws IOException {
        g.writeStartObject();
        if (top) g.writeNumberField("v", Event.SCHEMA_VERSION);
        g.writeStringField("type", event.type());
        // an alert's time has Falco's nanoseconds; every other event's has microseconds
        g.writeStringField("time", event instanceof AlertEvent ? falcoTime(event.timeNanos()) : time(event.timeNanos()));
        if (event instanceof SyscallEvent s) {
            g.writeNumberField("pid", s.pid());
            g.writeNumberField("tid", s.tid());
            str(g, "container", s.container());
            str(g, "comm", s.comm());
            g.writeNumberField("uid", s.uid());
            g.writeStringField("syscall", s.syscall());
            list(g, "args", s.args());
            str(g, "path", s.path());
            str(g, "flags", s.flags());
            g.writeNumberField("ret", s.ret());
            str(g, "errno", s.errno());
            g.writeNumberField("durationUs", s.durationMicros());
            str(g, "retPath", s.retPath());
            if (s.coverage() != null) g.writeNumberField("coverage", s.coverage());
        } else if (event instanceof ProcessEvent p) {
            g.writeStringField("kind", p.kind().name().toLowerCase(Locale.ROOT));
            g.writeNumberField("pid", p.pid());
            g.writeNumberField("ppid", p.ppid());
            str(g, "container", p.container());
            str(g, "comm", p.comm());
            str(g, "exe", p.exe());
            list(g, "argv", p.argv());
            g.writeNumberField("uid", p.uid());
            if (p.gid() >= 0) g.writeNumberField("gid", p.gid());
            str(g, "cwd", p.cwd());
            str(g, "previousExe", p.previousExe());
            if (p.exitCode() != null) g.writeNumberField("exitCode", p.exitCode());
            str(g, "signal", p.signal());
            str(g, "mode", p.mode());
            str(g, "reason", p.reason());
            if (p.tracerPid() != null) g.writeNumberField("tracerPid", p.tracerPid());
        } else if (event instanceof SignalEvent sg) {
            g.writeStringField("kind", sg.kind().name().toLowerCase(Locale.ROOT));
            g.writeNumberField("pid", sg.pid());
            g.writeNumberField("tid", sg.tid());
            str(g, "container", sg.container());
            str(g, "comm", sg.comm());
            g.writeStringField("signal", sg.signal());
            g.writeNumberField("code", sg.code());
            if (sg.senderPid() != null) g.writeNumberField("senderPid", sg.senderPid());
            if (sg.senderUid() != null) g.writeNumberField("senderUid", sg.senderUid());
            if (sg.status() != null) g.writeNumberField("status", sg.status());
            if (sg.utime() != null) g.writeNumberField("utime", sg.utime());
            if (sg.stime() != null) g.writeNumberField("stime", sg.stime());
            if (sg.address() != null) g.writeStringField("address", "0x" + Long.toHexString(sg.address()));
        } else if (event instanceof FileChangeEvent f) {
            str(g, "container", f.container());
            g.writeNumberField("pid", f.pid());
            g.writeStringField("path", f.path());
            g.writeStringField("kind", f.kind().name().toLowerCase(Locale.ROOT));
            g.writeBooleanField("directory", f.directory());
        } else if (event instanceof AlertEvent a) {
            // Falco's alert members, under Falco's names, so that Falco consumers read the line unchanged
            g.writeStringField("rule", a.rule());
            g.writeStringField("priority", a.priority());
            g.writeStringField("output", a.output());
            g.writeObjectFieldStart("output_fields");
            if (a.outputFields() != null) {
                for (var f : a.outputFields().entrySet()) {
                    Object v = f.getValue();
                    if (v == null) {
                        g.writeNullField(f.getKey());
                    } else if (v instanceof Long l) {
                        g.writeNumberField(f.getKey(), l);
                    } else if (v instanceof Boolean b) {
                        g.writeBooleanField(f.getKey(), b);
                    } else {
                        g.writeStringField(f.getKey(), v.toString());
                    }
                }
            }
            g.writeEndObject();
            list(g, "tags", a.tags() == null ? List.of() : a.tags());
            str(g, "hostname", a.hostname());
            g.writeStringField("source", a.source() == null ? "syscall" : a.source());
            str(g, "container", a.container());
            if (a.trigger() != null) {
                g.writeFieldName("trigger");
                writeObject(g, a.trigger(), false);
            }
        } else if (event instanceof DropEvent d) {
            g.writeNumberField("dropped", d.dropped());
            g.writeNumberField("total", d.total());
            str(g, "reason", d.reason());
        }
        g.writeEndObject();
    }

    private static void str(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) g.writeStringField(name, value);
    }

    private static void list(JsonGenerator g, String name, List<String> values) throws IOException {
        if (values == null) return;
        g.writeArrayFieldStart(name);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }
}
