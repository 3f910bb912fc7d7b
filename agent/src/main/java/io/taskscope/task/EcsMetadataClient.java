package io.taskscope.task;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.TaskscopeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Client of the ECS Task Metadata endpoint v4. The agent serves it on a link-local address
 * inside the task; the reply is small, so a short timeout keeps a broken endpoint from
 * stalling {@code taskscope ps}: callers fall back to grouping by namespace.
 */
public final class EcsMetadataClient {
    /** The variable ECS sets in every container of a task (platform version 1.4+ on Fargate). */
    public static final String ENV = "ECS_CONTAINER_METADATA_URI_V4";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(1000);
    private static final int MAX_REPLY = 1 << 20;

    private final URI base;
    private final Duration timeout;

    public EcsMetadataClient(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
    }

    /** A client for {@code $ECS_CONTAINER_METADATA_URI_V4}, empty when the variable is not set. */
    public static Optional<EcsMetadataClient> fromEnvironment() {
        String uri = System.getenv(ENV);
        if (uri == null || uri.isBlank()) return Optional.empty();
        try {
            return Optional.of(new EcsMetadataClient(URI.create(uri.strip()), DEFAULT_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw TaskscopeException.runtime(ENV + " is not a URI: '" + uri + "'",
                    "unset it or set it to the endpoint ECS gives the container");
        }
    }

    public URI base() {
        return base;
    }

    /** GET {@code <base>/task}; throws a runtime TaskscopeException saying what went wrong. */
    public EcsTaskMetadata task() {
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/task");
        byte[] body;
        try {
            URL url = uri.toURL();
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("Accept", "application/json");
            int code = c.getResponseCode();
            if (code != 200) {
                c.disconnect();
                throw TaskscopeException.runtime("ECS metadata endpoint " + uri + " answered HTTP " + code,
                        "check " + ENV + "; containers are grouped by namespace instead");
            }
            try (InputStream in = c.getInputStream()) {
                body = in.readNBytes(MAX_REPLY + 1);
            }
            if (body.length > MAX_REPLY) {
                throw TaskscopeException.runtime("ECS metadata reply from " + uri + " is larger than 1 MiB",
                        "check " + ENV + " points at the task metadata endpoint");
            }
        } catch (SocketTimeoutException e) {
            throw TaskscopeException.runtime("ECS metadata endpoint " + uri + " did not answer within "
                    + timeout.toMillis() + " ms", "check " + ENV + "; containers are grouped by namespace instead", e);
        } catch (IOException | IllegalArgumentException e) {
            throw TaskscopeException.runtime("cannot reach the ECS metadata endpoint " + uri + ": " + e.getMessage(),
                    "check " + ENV + "; containers are grouped by namespace instead", e);
        }
        return parse(body, uri.toString());
    }

    /** Parses a {@code /task} reply; a reply of another shape is an error naming what is missing. */
    public static EcsTaskMetadata parse(byte[] body, String from) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(body);
        } catch (JacksonException e) {
            throw malformed(from, "not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw malformed(from, e.getMessage());
        }
        if (root == null || !root.isObject()) throw malformed(from, "not a JSON object");
        JsonNode containers = root.get("Containers");
        if (containers == null || !containers.isArray()) throw malformed(from, "no \"Containers\" array");
        List<EcsTaskMetadata.EcsContainer> out = new ArrayList<>();
        for (JsonNode c : containers) {
            String name = text(c, "Name");
            String id = text(c, "DockerId");
            if (name.isEmpty() || id.isEmpty()) throw malformed(from, "a container without \"Name\" or \"DockerId\"");
            out.add(new EcsTaskMetadata.EcsContainer(name, id, text(c, "Image"), text(c, "Type")));
        }
        String launch = text(root, "LaunchType");
        return new EcsTaskMetadata(text(root, "Cluster"), text(root, "TaskARN"), text(root, "Family"),
                text(root, "Revision"), launch.isEmpty() ? Optional.empty() : Optional.of(launch), List.copyOf(out));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? "" : v.asText();
    }

    private static TaskscopeException malformed(String from, String what) {
        return TaskscopeException.runtime("malformed ECS metadata reply from " + from + ": " + what,
                "check " + ENV + " points at the task metadata endpoint v4; containers are grouped by namespace instead");
    }
}
