package io.taskscope.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the JSON lines {@link EventJson} writes back into events: {@code taskscope trace} uses it
 * to print, in strace's shape, the events it receives from a running agent's control socket.
 * Lines of another schema version, or that are not events (metrics lines), read as empty.
 */
public final class EventJsonReader {
    private static Integer intOrNull(JsonNode n, String field) {
        return n.has(field) && n.get(field).isNumber() ? n.get(field).asInt() : null;
    }

    private static final ObjectMapper JSON = io.taskscope.text.Escape.jsonMapper();

    private EventJsonReader() {}

    public static Optional<Event> parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (n == null || n.path("v").asInt(-1) != Event.SCHEMA_VERSION) return Optional.empty();
        return Optional.ofNullable(event(n));
    }

    private static Event event(JsonNode n) {
        long t = time(n.path("time").asText(""));
        switch (n.path("type").asText("")) {
            case "syscall":
                return new SyscallEvent(t, n.path("pid").asInt(), n.path("tid").asInt(), str(n, "container"),
                        str(n, "comm"), n.path("uid").asInt(-1), n.path("syscall").asText("?"), list(n, "args"),
                        str(n, "path"), str(n, "flags"), n.path("ret").asLong(), str(n, "errno"),
                        n.path("durationUs").asLong(-1), str(n, "retPath"),
                        n.has("coverage") ? n.get("coverage").asDouble() : null);
            case "process":
                ProcessEvent.Kind kind = kind(ProcessEvent.Kind.class, n);
                if (kind == null) return null;
                return new ProcessEvent(t, kind, n.path("pid").asInt(), n.path("ppid").asInt(), str(n, "container"),
                        str(n, "comm"), str(n, "exe"), list(n, "argv"), n.path("uid").asInt(-1),
                        n.has("exitCode") ? n.get("exitCode").asInt() : null, str(n, "signal"), n.path("gid").asInt(-1),
                        str(n, "cwd"), str(n, "previousExe"), str(n, "mode"), str(n, "reason"), intOrNull(n, "tracerPid"));
            case "signal":
                SignalEvent.Kind sk = kind(SignalEvent.Kind.class, n);
                if (sk == null) return null;
                return new SignalEvent(t, sk, n.path("pid").asInt(), n.path("tid").asInt(), str(n, "container"),
                        str(n, "comm"), str(n, "signal"), n.path("code").asInt(), intOrNull(n, "senderPid"),
                        intOrNull(n, "senderUid"), intOrNull(n, "status"),
                        n.has("utime") ? n.get("utime").asLong() : null, n.has("stime") ? n.get("stime").asLong() : null,
                        n.has("address") ? Long.parseUnsignedLong(n.get("address").asText().replaceFirst("^0x", ""), 16) : null);
            case "file":
                FileChangeEvent.Kind fk = kind(FileChangeEvent.Kind.class, n);
                if (fk == null) return null;
                return new FileChangeEvent(t, str(n, "container"), n.path("pid").asInt(), str(n, "path"), fk,
                        n.path("directory").asBoolean());
            case "alert":
                java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
                n.path("output_fields").fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().isNull() ? null
                        : f.getValue().isIntegralNumber() ? (Object) f.getValue().asLong()
                        : f.getValue().isBoolean() ? (Object) f.getValue().asBoolean() : f.getValue().asText()));
                List<String> tags = list(n, "tags");
                return new AlertEvent(t, str(n, "rule"), str(n, "priority"), str(n, "output"), fields,
                        tags == null ? List.of() : tags, str(n, "hostname"), str(n, "source"), str(n, "container"),
                        n.has("trigger") ? event(n.get("trigger")) : null);
            case "drop":
                return new DropEvent(t, n.path("dropped").asLong(), n.path("total").asLong(), str(n, "reason"));
            default:
                return null;
        }
    }

    /** The "kind" member as an enum constant, or null for a kind this version does not know. */
    private static <E extends Enum<E>> E kind(Class<E> type, JsonNode n) {
        try {
            return Enum.valueOf(type, n.path("kind").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long time(String s) {
        try {
            Instant i = Instant.parse(s);
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static String str(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> list(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) return null;
        List<String> out = new ArrayList<>(v.size());
        v.forEach(x -> out.add(x.asText()));
        return List.copyOf(out);
    }
}
