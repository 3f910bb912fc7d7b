package io.taskscope.task;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.TaskscopeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
        return parse(get(uri), uri.toString());
    }

    /**
     * GET {@code <base>}: the metadata of the container that asks, i.e. ours. Used only when our own
     * cgroup path names no container of the task (a private cgroup namespace shows us {@code 0::/}).
     */
    public String selfDockerId() {
        String body = new String(get(base), StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw malformed(base.toString(), "not JSON");
        }
        String id = text(root, "DockerId");
        if (id.isEmpty()) throw malformed(base.toString(), "no \"DockerId\"");
        return id;
    }

    /**
     * One HTTP/1.0 GET with a single deadline for connecting and reading the whole reply. Not
     * HttpURLConnection: it has no overall deadline, and against an endpoint that accepts and never
     * answers it sent the request twice (3 s for a 1 s timeout). HTTP/1.0 also means no chunked
     * encoding and no keep-alive: the endpoint closes the connection after the body.
     */
    private byte[] get(URI uri) {
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw TaskscopeException.runtime(ENV + " must be an http:// URI, not '" + uri + "'",
                    "unset it or set it to the endpoint ECS gives the container");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), port), (int) Math.max(1, timeout.toMillis()));
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.0\r\nHost: " + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + port)
                    + "\r\nAccept: application/json\r\nUser-Agent: taskscope\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16384];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) throw new SocketTimeoutException();
                s.setSoTimeout((int) left);
                int n = in.read(buf);
                if (n < 0) break;
                reply.write(buf, 0, n);
                if (reply.size() > MAX_REPLY + 65536) {
                    throw TaskscopeException.runtime("ECS metadata reply from " + uri + " is larger than 1 MiB",
                            "check " + ENV + " points at the task metadata endpoint");
                }
            }
        } catch (SocketTimeoutException e) {
            throw TaskscopeException.runtime("ECS metadata endpoint " + uri + " did not answer within "
                    + timeout.toMillis() + " ms", "check " + ENV + "; containers are grouped by namespace instead", e);
        } catch (IOException | IllegalArgumentException e) {
            throw TaskscopeException.runtime("cannot reach the ECS metadata endpoint " + uri + ": " + e.getMessage(),
                    "check " + ENV + "; containers are grouped by namespace instead", e);
        }
        return body(reply.toByteArray(), uri);
    }

    /** The body of an HTTP reply, after checking its status line is 200. */
    static byte[] body(byte[] reply, URI uri) {
        int headerEnd = -1;
        for (int i = 0; i + 3 < reply.length; i++) {
            if (reply[i] == '\r' && reply[i + 1] == '\n' && reply[i + 2] == '\r' && reply[i + 3] == '\n') {
                headerEnd = i;
                break;
            }
        }
        String head = new String(reply, 0, headerEnd < 0 ? Math.min(reply.length, 200) : headerEnd, StandardCharsets.ISO_8859_1);
        String[] status = head.split("\r\n", 2)[0].split(" ", 3);
        if (headerEnd < 0 || status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw malformed(uri.toString(), "not an HTTP reply");
        }
        if (!status[1].equals("200")) {
            throw TaskscopeException.runtime("ECS metadata endpoint " + uri + " answered HTTP " + status[1],
                    "check " + ENV + "; containers are grouped by namespace instead");
        }
        byte[] body = java.util.Arrays.copyOfRange(reply, headerEnd + 4, reply.length);
        if (body.length > MAX_REPLY) {
            throw TaskscopeException.runtime("ECS metadata reply from " + uri + " is larger than 1 MiB",
                    "check " + ENV + " points at the task metadata endpoint");
        }
        return body;
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
                text(root, "Revision"), launch.isEmpty() ? Optional.empty() : Optional.of(launch), List.copyOf(out))
                .withAvailabilityZone(text(root, "AvailabilityZone"));
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
