package io.taskscope.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.TaskscopeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only client of a container engine's Docker-compatible API on a Unix socket: Docker's
 * {@code /var/run/docker.sock}, or podman's ({@code /run/podman/podman.sock}, served by
 * {@code podman system service}) when the monitor has it mounted. Only two GETs:
 * {@code /containers/json} (the running containers) and {@code /containers/<id>/json}. Every
 * request is one HTTP/1.0 exchange under one deadline, and its reply is bounded; a failure is a
 * {@link TaskscopeException} the caller turns into a warning: container names then fall back to
 * short IDs from the cgroup paths.
 */
public final class EngineClient implements EngineNames {
    /** Where engines put their socket, in the order tried after {@code $DOCKER_HOST} and {@code $CONTAINER_HOST}. */
    public static final List<Path> DEFAULT_SOCKETS = List.of(Path.of("/var/run/docker.sock"), Path.of("/run/podman/podman.sock"));
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(1000);
    private static final int MAX_REPLY = 8 << 20;
    static final int MAX_LOOKUPS = 8;

    private final Path socket;
    private final Duration timeout;

    public EngineClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /**
     * The engine socket reachable from here: {@code $DOCKER_HOST} or {@code $CONTAINER_HOST} when they
     * name a {@code unix://} path, else the first of {@link #DEFAULT_SOCKETS} that is a socket. Empty when
     * there is none (one stat per candidate; nothing is connected to).
     */
    public static Optional<EngineClient> find(Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        for (String var : List.of("DOCKER_HOST", "CONTAINER_HOST")) {
            String v = env.get(var);
            if (v != null && v.startsWith("unix://") && v.length() > 7) candidates.add(Path.of(v.substring(7)));
        }
        candidates.addAll(DEFAULT_SOCKETS);
        for (Path p : candidates) {
            try {
                if (Files.readAttributes(p, BasicFileAttributes.class).isOther()) return Optional.of(new EngineClient(p, DEFAULT_TIMEOUT));
            } catch (IOException | SecurityException e) {
                // not there
            }
        }
        return Optional.empty();
    }

    public Path socket() {
        return socket;
    }

    /**
     * One {@code GET /containers/json}, then {@code /containers/<id>/json} for each ID it did not list (a container
     * being created or stopped; at most {@link #MAX_LOOKUPS}); the first failure ends the asking.
     */
    @Override
    public Map<String, EngineContainer> names(java.util.Collection<String> ids, List<String> warnings) {
        Map<String, EngineContainer> out = new LinkedHashMap<>();
        if (ids.isEmpty()) return out;
        List<EngineContainer> listed;
        try {
            listed = containers();
        } catch (TaskscopeException ex) {
            warnings.add(ex.oneLine());
            return out;
        }
        int lookups = 0;
        for (String id : ids) {
            Optional<EngineContainer> known = listed.stream().filter(c -> c.matches(id)).findFirst();
            if (known.isEmpty() && lookups++ < MAX_LOOKUPS) {
                try {
                    known = container(id);
                } catch (TaskscopeException ex) {
                    warnings.add(ex.oneLine());
                    return out;
                }
            }
            known.ifPresent(c -> out.put(id, c));
        }
        return out;
    }

    /** {@code GET /containers/json}: the running containers. */
    public List<EngineContainer> containers() {
        JsonNode root = json(get("/containers/json"), "/containers/json");
        if (!root.isArray()) throw malformed("/containers/json", "not a JSON array");
        List<EngineContainer> out = new ArrayList<>();
        for (JsonNode c : root) {
            String id = text(c.get("Id"));
            if (id.isEmpty()) continue;
            JsonNode names = c.get("Names");
            String name = names != null && names.isArray() && names.size() > 0 ? text(names.get(0)) : "";
            out.add(EngineContainer.of(id, name, text(c.get("Image")), labels(c.get("Labels"))));
        }
        return out;
    }

    /** {@code GET /containers/<id>/json}; empty when the engine knows no such container (404). */
    public Optional<EngineContainer> container(String id) {
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            if (!(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '_' || ch == '.' || ch == '-')) {
                return Optional.empty(); // not an ID or a name: never put it in a request line
            }
        }
        String path = "/containers/" + id + "/json";
        byte[] body;
        try {
            body = get(path);
        } catch (NotFound e) {
            return Optional.empty();
        }
        JsonNode c = json(body, path);
        JsonNode config = c.path("Config");
        String fullId = text(c.get("Id"));
        if (fullId.isEmpty()) throw malformed(path, "no \"Id\"");
        return Optional.of(EngineContainer.of(fullId, text(c.get("Name")), text(config.get("Image")), labels(config.get("Labels"))));
    }

    private static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFound() {
            super(null, null, false, false);
        }
    }

    /** One HTTP/1.0 GET on the socket: connect, write, read to the end, all under one deadline. */
    private byte[] get(String path) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                ch.register(sel, SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) waitFor(sel, deadline, path);
                ch.keyFor(sel).cancel();
                sel.selectNow();
            }
            ByteBuffer out = ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: docker\r\nAccept: application/json\r\n"
                    + "User-Agent: taskscope\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                if (ch.write(out) == 0) waitFor(sel, deadline, path);
            }
            key.interestOps(SelectionKey.OP_READ);
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) break;
                if (n == 0) {
                    waitFor(sel, deadline, path);
                    continue;
                }
                reply.write(buf.array(), 0, n);
                if (reply.size() > MAX_REPLY) {
                    throw TaskscopeException.runtime("the engine's reply to GET " + path + " on " + socket + " is larger than "
                            + (MAX_REPLY >> 20) + " MiB", "containers are named by their short IDs instead");
                }
            }
        } catch (IOException e) {
            throw TaskscopeException.runtime("cannot ask the container engine on " + socket + ": " + e.getMessage(),
                    "containers are named by their short IDs instead; check the socket is the engine's", e);
        }
        return body(reply.toByteArray(), path);
    }

    private void waitFor(Selector sel, long deadline, String path) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0 || sel.select(left) == 0 && deadline - System.nanoTime() <= 0) {
            throw TaskscopeException.runtime("the container engine on " + socket + " did not answer GET " + path + " within "
                    + timeout.toMillis() + " ms", "containers are named by their short IDs instead");
        }
        sel.selectedKeys().clear();
    }

    /** The body of an HTTP reply after checking its status; a chunked body is decoded. */
    byte[] body(byte[] reply, String path) {
        int headerEnd = -1;
        for (int i = 0; i + 3 < reply.length; i++) {
            if (reply[i] == '\r' && reply[i + 1] == '\n' && reply[i + 2] == '\r' && reply[i + 3] == '\n') {
                headerEnd = i;
                break;
            }
        }
        if (headerEnd < 0) throw malformed(path, "not an HTTP reply");
        String[] head = new String(reply, 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = head[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) throw malformed(path, "not an HTTP reply");
        if (status[1].equals("404")) throw new NotFound();
        if (!status[1].equals("200")) {
            throw TaskscopeException.runtime("the container engine on " + socket + " answered HTTP " + status[1] + " to GET " + path,
                    "containers are named by their short IDs instead; the monitor needs read access to the engine's API");
        }
        byte[] body = java.util.Arrays.copyOfRange(reply, headerEnd + 4, reply.length);
        for (int i = 1; i < head.length; i++) {
            String h = head[i].toLowerCase(Locale.ROOT);
            if (h.startsWith("transfer-encoding:") && h.contains("chunked")) return dechunk(body, path);
        }
        return body;
    }

    private byte[] dechunk(byte[] in, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int at = 0;
        while (true) {
            int eol = indexOfCrlf(in, at);
            if (eol < 0) throw malformed(path, "a broken chunked body");
            String size = new String(in, at, eol - at, StandardCharsets.US_ASCII).split(";", 2)[0].strip();
            int n;
            try {
                n = Integer.parseInt(size, 16);
            } catch (NumberFormatException e) {
                throw malformed(path, "a broken chunked body");
            }
            at = eol + 2;
            if (n == 0) return out.toByteArray();
            if (n < 0 || at + n > in.length) throw malformed(path, "a broken chunked body");
            out.write(in, at, n);
            at += n + 2;
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) if (b[i] == '\r' && b[i + 1] == '\n') return i;
        return -1;
    }

    private JsonNode json(byte[] body, String path) {
        try {
            JsonNode n = new ObjectMapper().readTree(body);
            if (n == null) throw malformed(path, "an empty body");
            return n;
        } catch (IOException e) {
            throw malformed(path, "not JSON");
        }
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) node.fields().forEachRemaining(f -> out.put(f.getKey(), text(f.getValue())));
        return out;
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() || !v.isValueNode() ? "" : v.asText();
    }

    private TaskscopeException malformed(String path, String what) {
        return TaskscopeException.runtime("malformed reply from the container engine on " + socket + " to GET " + path + ": " + what,
                "containers are named by their short IDs instead; check the socket is a Docker-compatible API");
    }
}
