package io.taskscope.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.agent.Metrics;
import io.taskscope.task.EcsTaskMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Events and metrics say which task they are from (issue 14), so one log group can hold many tasks. */
class TaskIdentityTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EcsTaskMetadata FARGATE = new EcsTaskMetadata("arn:aws:ecs:ap-northeast-1:111122223333:cluster/default",
            "arn:aws:ecs:ap-northeast-1:111122223333:task/default/9f1b3c5d", "taskscope-demo", "3",
            Optional.of("FARGATE"), List.of()).withAvailabilityZone("ap-northeast-1a");

    private static SyscallEvent call() {
        return new SyscallEvent(0, 42, 42, "app", "php-fpm", 82, "openat", List.of(), "/x", "O_RDONLY", -1, "ENOENT", 5);
    }

    @Test
    void everyEventLineCarriesTheTask() throws Exception {
        TaskIdentity t = TaskIdentity.of(Optional.of(FARGATE)).orElseThrow();
        JsonNode e = JSON.readTree(t.addTo(EventJson.toJson(call())));
        assertEquals("syscall", e.get("type").asText(), "the event itself is unchanged");
        assertEquals("app", e.get("container").asText());
        assertEquals("arn:aws:ecs:ap-northeast-1:111122223333:cluster/default", e.at("/task/cluster").asText());
        assertEquals("arn:aws:ecs:ap-northeast-1:111122223333:task/default/9f1b3c5d", e.at("/task/arn").asText());
        assertEquals("taskscope-demo", e.at("/task/family").asText());
        assertEquals("3", e.at("/task/revision").asText());
        assertEquals("ap-northeast-1a", e.at("/task/availabilityZone").asText());
    }

    @Test
    void offEcsThereIsNoTaskAndWhatTheEndpointLeftOutIsLeftOut() throws Exception {
        assertTrue(TaskIdentity.of(Optional.empty()).isEmpty());
        TaskIdentity noAz = TaskIdentity.of(Optional.of(new EcsTaskMetadata("c", "arn:t", "f", "", Optional.empty(),
                List.of()))).orElseThrow();
        JsonNode task = JSON.readTree(noAz.addTo(EventJson.toJson(call()))).get("task");
        assertFalse(task.has("availabilityZone"));
        assertFalse(task.has("revision"));
        assertEquals("arn:t", task.get("arn").asText());
    }

    @Test
    void hostileValuesStayOneLineOfJson() throws Exception {
        TaskIdentity t = new TaskIdentity("c\n\"x", "arn", "f", "1", "az");
        String line = t.addTo(EventJson.toJson(call()));
        assertFalse(line.contains("\n"));
        assertEquals("c\n\"x", JSON.readTree(line).at("/task/cluster").asText());
    }

    @Test
    void metricsLinesNameTheTaskAsPropertiesNotDimensions() throws Exception {
        Metrics m = new Metrics("taskscope", 60);
        m.identity(TaskIdentity.of(Optional.of(FARGATE)));
        m.count(call());
        JsonNode line = JSON.readTree(m.drain(1_700_000_000_000L, Map.of()).get(0));
        assertEquals("[[\"Container\"]]", line.at("/_aws/CloudWatchMetrics/0/Dimensions").toString(),
                "a dimension per task would be a metric per task");
        assertEquals("taskscope-demo", line.get("TaskDefinitionFamily").asText());
        assertEquals("3", line.get("TaskDefinitionRevision").asText());
        assertEquals("arn:aws:ecs:ap-northeast-1:111122223333:task/default/9f1b3c5d", line.get("TaskARN").asText());
        assertEquals("default", line.get("ClusterName").asText(), "the short name, as Container Insights' ClusterName");
        assertEquals("ap-northeast-1a", line.get("AvailabilityZone").asText());
        Metrics off = new Metrics("taskscope", 60);
        off.count(call());
        assertFalse(JSON.readTree(off.drain(1L, Map.of()).get(0)).has("TaskARN"));
    }
}
