package io.taskscope.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    static final ObjectMapper M = new ObjectMapper();
    static final long T = 1_795_000_000_123_456_789L;

    static JsonNode parse(Event e) throws Exception {
        String line = EventJson.toJson(e);
        assertFalse(line.contains("\n"), "one line: " + line);
        JsonNode n = M.readTree(line);
        assertEquals(Event.SCHEMA_VERSION, n.get("v").asInt());
        assertEquals(e.type(), n.get("type").asText());
        return n;
    }

    @Test
    void syscallEventHasTheDocumentedFields() throws Exception {
        var e = new SyscallEvent(T, 24, 25, "app", "php-fpm", 82, "newfstatat",
                List.of("AT_FDCWD", "\"/var/www/html/hoge.php\"", "0x7ffe1234", "AT_SYMLINK_NOFOLLOW"),
                "/var/www/html/hoge.php", null, -1, "ENOENT", 12);
        JsonNode n = parse(e);
        assertEquals("2026-11-18T11:06:40.123456Z", n.get("time").asText());
        assertEquals(24, n.get("pid").asInt());
        assertEquals(25, n.get("tid").asInt());
        assertEquals("app", n.get("container").asText());
        assertEquals("newfstatat", n.get("syscall").asText());
        assertEquals("\"/var/www/html/hoge.php\"", n.get("args").get(1).asText());
        assertEquals("/var/www/html/hoge.php", n.get("path").asText());
        assertFalse(n.has("flags"), "null fields are left out");
        assertEquals(-1, n.get("ret").asLong());
        assertEquals("ENOENT", n.get("errno").asText());
        assertEquals(12, n.get("durationUs").asLong());
    }

    @Test
    void everyEventTypeIsOneObject() throws Exception {
        var proc = new ProcessEvent(T, ProcessEvent.Kind.EXIT, 30, 1, "web", "nginx", "/usr/sbin/nginx",
                List.of("nginx", "-g", "daemon off;"), 101, null, "SIGKILL");
        JsonNode p = parse(proc);
        assertEquals("exit", p.get("kind").asText());
        assertEquals("SIGKILL", p.get("signal").asText());
        assertFalse(p.has("exitCode"));
        JsonNode f = parse(new FileChangeEvent(T, "app", 24, "/var/www/html/shell.php", FileChangeEvent.Kind.CREATE, false));
        assertEquals("create", f.get("kind").asText());
        var fields = new java.util.LinkedHashMap<String, Object>();
        fields.put("proc.name", "nginx");
        fields.put("proc.pid", 30L);
        fields.put("container.image.tag", null);
        fields.put("evt.failed", false);
        AlertEvent alert = new AlertEvent(T + 789, "write-under-docroot", "Critical", "file written by nginx", fields,
                List.of("container", "filesystem"), "ip-10-0-0-1", "syscall", "app", proc);
        JsonNode a = parse(alert);
        // Falco's members under Falco's names, with the schema version and the container beside them
        assertEquals(1, a.get("v").asInt());
        assertEquals("alert", a.get("type").asText());
        assertEquals("write-under-docroot", a.get("rule").asText());
        assertEquals("Critical", a.get("priority").asText());
        assertEquals("file written by nginx", a.get("output").asText());
        assertEquals("nginx", a.get("output_fields").get("proc.name").asText());
        assertEquals(30, a.get("output_fields").get("proc.pid").asLong());
        assertTrue(a.get("output_fields").get("container.image.tag").isNull());
        assertFalse(a.get("output_fields").get("evt.failed").asBoolean(true));
        assertEquals("[\"container\",\"filesystem\"]", a.get("tags").toString());
        assertEquals("ip-10-0-0-1", a.get("hostname").asText());
        assertEquals("syscall", a.get("source").asText());
        assertEquals("app", a.get("container").asText());
        assertTrue(a.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z"), a.get("time").asText());
        assertEquals("process", a.get("trigger").get("type").asText());
        assertFalse(a.get("trigger").has("v"));
        AlertEvent back = (AlertEvent) EventJsonReader.parse(EventJson.toJson(alert)).orElseThrow();
        assertEquals(alert.outputFields(), back.outputFields());
        assertEquals(alert.tags(), back.tags());
        JsonNode d = parse(new DropEvent(T, 5, 12, "output could not keep up"));
        assertEquals(5, d.get("dropped").asLong());
        assertEquals(12, d.get("total").asLong());
    }

    @Test
    void signalEventsRoundTripThroughTheControlSocketsReader() throws Exception {
        long t = T - T % 1000; // JSON times are microseconds
        SignalEvent chld = new SignalEvent(t, SignalEvent.Kind.DELIVERED, 24, 24, "app", "php-fpm", "SIGCHLD", 1, 25, 82, 3,
                1L, 2L, null);
        JsonNode n = parse(chld);
        assertEquals("signal", n.get("type").asText());
        assertEquals("delivered", n.get("kind").asText());
        assertEquals(3, n.get("status").asInt());
        assertEquals(chld, EventJsonReader.parse(EventJson.toJson(chld)).orElseThrow());
        SignalEvent segv = new SignalEvent(t, SignalEvent.Kind.DELIVERED, 24, 26, "app", "php-fpm", "SIGSEGV", 1, null, null,
                null, null, null, 0xdeadbeefL);
        assertEquals("0xdeadbeef", parse(segv).get("address").asText());
        assertEquals(segv, EventJsonReader.parse(EventJson.toJson(segv)).orElseThrow());
    }

    @Test
    void hostileStringsStayOnOneLine() throws Exception {
        String evil = "/tmp/a\nb\u0000c\"d\u001b[31m";
        var e = new SyscallEvent(T, 1, 1, null, "x\ny", 0, "openat", List.of(evil), evil, "O_RDONLY", 3, null, 1);
        JsonNode n = parse(e);
        assertEquals(evil, n.get("path").asText());
        assertTrue(EventJson.toJson(e).chars().noneMatch(c -> c < 0x20));
    }

    @Test
    void c1DelAndBytesThatAreNotUtf8AreEscapedAndSurviveTheRelay() throws Exception {
        String raw = io.taskscope.text.Bytes.decode(new byte[] {'/', 't', '/', 'x', (byte) 0xff});
        String comm = "\u001b]0;CPWN\u0007\u001b[2J\u0085\u007f";
        long t = T - T % 1000;
        var e = new SyscallEvent(t, 1, 1, "c\u009b", comm, 0, "openat", List.of("\"/t/x\\377\""), raw, "O_RDONLY", 3, null, 1);
        String line = EventJson.toJson(e);
        assertTrue(line.chars().noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || Character.isSurrogate((char) c)), line);
        assertTrue(line.contains("\"/t/x\\udcff\"") && line.contains("\\u0085\\u007f") && line.contains("c\\u009b"), line);
        // What a relayed trace reads back from the agent's socket is the same event, the raw byte included.
        assertEquals(e, EventJsonReader.parse(line).orElseThrow());
        var f = new FileChangeEvent(t, "app", 24, raw, FileChangeEvent.Kind.CREATE, false);
        assertTrue(EventJson.toJson(f).contains("x\\udcff"), EventJson.toJson(f));
    }
}
