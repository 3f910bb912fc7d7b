package io.taskscope.event;

import com.fasterxml.jackson.core.JsonGenerator;
import io.taskscope.task.EcsTaskMetadata;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Which ECS task an event comes from, from the task metadata endpoint: the agent adds it to every event line
 * ({@code "task":{"cluster":...,"arn":...,"family":...,"revision":...,"availabilityZone":...}}) and to every metrics
 * line (EMF properties ClusterName (the short name, as Container Insights names it), TaskARN, TaskDefinitionFamily, TaskDefinitionRevision, AvailabilityZone), so that
 * Logs Insights over a log group of many tasks can tell them apart. Off ECS there is none and nothing is added.
 * Fields the endpoint left out are left out. The JSON is built once per identity.
 */
public final class TaskIdentity {
    private final String cluster;
    private final String taskArn;
    private final String family;
    private final String revision;
    private final String availabilityZone;
    private final String field;

    public TaskIdentity(String cluster, String taskArn, String family, String revision, String availabilityZone) {
        this.cluster = cluster;
        this.taskArn = taskArn;
        this.family = family;
        this.revision = revision;
        this.availabilityZone = availabilityZone;
        this.field = "," + json();
    }

    public String cluster() {
        return cluster;
    }

    public String taskArn() {
        return taskArn;
    }

    public static Optional<TaskIdentity> of(Optional<EcsTaskMetadata> metadata) {
        return metadata.map(m -> new TaskIdentity(m.cluster(), m.taskArn(), m.family(), m.revision(), m.availabilityZone()))
                .filter(t -> !t.taskArn().isEmpty() || !t.cluster().isEmpty());
    }

    /** The event's JSON object with the {@code task} field added before its closing brace. */
    public String addTo(String eventJson) {
        return eventJson.substring(0, eventJson.length() - 1) + field() + "}";
    }

    /** {@code ,"task":{...}}. */
    String field() {
        return field;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskIdentity t && t.field.equals(field);
    }

    @Override
    public int hashCode() {
        return field.hashCode();
    }

    private String json() {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = io.taskscope.text.Escape.jsonFactory().createGenerator(w)) {
            g.writeStartObject(); // a dummy wrapper so that the generator accepts a field name
            g.writeObjectFieldStart("task");
            put(g, "cluster", cluster);
            put(g, "arn", taskArn);
            put(g, "family", family);
            put(g, "revision", revision);
            put(g, "availabilityZone", availabilityZone);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String s = w.toString();
        return s.substring(1, s.length() - 1);
    }

    /** Writes the EMF properties (not dimensions: one metric per task would multiply the bill). */
    public void writeEmfProperties(JsonGenerator g) throws IOException {
        put(g, "ClusterName", cluster.substring(cluster.indexOf(":cluster/") < 0 ? 0 : cluster.indexOf(":cluster/") + 9));
        put(g, "TaskARN", taskArn);
        put(g, "TaskDefinitionFamily", family);
        put(g, "TaskDefinitionRevision", revision);
        put(g, "AvailabilityZone", availabilityZone);
    }

    private static void put(JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) g.writeStringField(name, value);
    }
}
