package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.event.AlertEvent;
import io.taskscope.event.SyscallEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static SyscallEvent call(String container, String errno) {
        return new SyscallEvent(0, 42, 42, container, "php-fpm", 82, "openat", List.of(), "/x", "O_RDONLY",
                errno == null ? 3 : -1, errno, 5);
    }

    @Test
    void emfLinesHaveTheShapeCloudWatchExtracts() throws Exception {
        Metrics m = new Metrics("taskscope", 60);
        m.count(call("app", null));
        m.count(call("app", "ENOENT"));
        m.dropped(call("app", null));
        m.count(new AlertEvent(0, "r", "Warning", "m", Map.of(), List.of(), "h", "syscall", "app", call("app", null)));
        m.count(call(null, null));
        List<String> lines = m.drain(1_700_000_000_123L, Map.of("app", 3, "web", 1));
        assertEquals(3, lines.size()); // app, unknown, web (sorted)
        JsonNode app = new ObjectMapper().readTree(lines.get(0));
        assertEquals(1_700_000_000_123L, app.at("/_aws/Timestamp").asLong());
        JsonNode cwm = app.at("/_aws/CloudWatchMetrics/0");
        assertEquals("taskscope", cwm.get("Namespace").asText());
        assertEquals("[[\"Container\"]]", cwm.get("Dimensions").toString());
        assertEquals(List.of("SyscallsTraced", "SyscallsFailed", "EventsDropped", "ProcessesAttached", "Alerts",
                        "ProcessesInSyscallMode"),
                cwm.get("Metrics").findValuesAsText("Name"));
        cwm.get("Metrics").forEach(n -> assertEquals("Count", n.get("Unit").asText()));
        // every metric and dimension named in _aws must be a top-level member, or CloudWatch rejects the line
        assertEquals("app", app.get("Container").asText());
        assertEquals(2, app.get("SyscallsTraced").asLong());
        assertEquals(1, app.get("SyscallsFailed").asLong());
        assertEquals(1, app.get("EventsDropped").asLong());
        assertEquals(3, app.get("ProcessesAttached").asLong());
        assertEquals(1, app.get("Alerts").asLong());
        assertEquals("metrics", app.get("type").asText());
        assertEquals("unknown", new ObjectMapper().readTree(lines.get(1)).get("Container").asText());
        assertTrue(lines.stream().noneMatch(l -> l.contains("\n")));
        JsonNode web = new ObjectMapper().readTree(lines.get(2));
        assertEquals(0, web.get("SyscallsTraced").asLong());
        assertEquals(1, web.get("ProcessesAttached").asLong());
    }

    @Test
    void countersAreDeltasAndQuietContainersDisappear() {
        Metrics m = new Metrics("taskscope", 60);
        m.count(call("app", null));
        assertEquals(1, m.drain(0, Map.of()).size());
        assertEquals(0, m.drain(0, Map.of()).size());
        assertEquals(1, m.drain(0, Map.of("app", 1)).size());
    }
}
