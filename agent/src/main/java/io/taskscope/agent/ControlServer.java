package io.taskscope.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.TaskscopeException;
import io.taskscope.event.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's control socket: a Unix domain socket (mode 0600, root only) speaking line-delimited
 * JSON. A client writes one request line and reads one reply line:
 *
 * <pre>
 * {"cmd":"health"}                      -> {"ok":true,"tracerAlive":true,"tracees":3,...}
 * {"cmd":"ps"}                          -> {"ok":true,"tracees":[{"pid":24,"container":"app",...}]}
 * {"cmd":"subscribe","filter":[...],..} -> {"ok":true} then one event per line until either side closes
 * </pre>
 *
 * A failure is {@code {"ok":false,"error":"problem; fix"}}. Subscribers each get a bounded queue:
 * a slow or stuck client loses events (reported to it as drop events), it never slows the agent.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final ObjectMapper JSON = io.taskscope.text.Escape.jsonMapper();
    static final int MAX_REQUEST = 64 * 1024;
    private static final int MAX_CLIENTS = 16;
    /**
     * Connections beyond MAX_CLIENTS that may still ask for health (the container's health check must get
     * an answer while 16 relayed traces hold every slot); anything else there is refused. Each has one second
     * to say what it wants.
     */
    static final int HEALTH_RESERVE = 4;
    private static final int SUBSCRIBER_QUEUE = 8192;

    /** What the agent answers with. Called on connection threads. */
    public interface Handler {
        Map<String, Object> health();

        List<Map<String, Object>> ps();

        /** The events a subscriber asked for; throws TaskscopeException on a bad request. */
        Predicate<Event> subscription(JsonNode request);

        /** The subscriber that made {@code request} has gone. */
        default void unsubscribed(JsonNode request) {}
    }

    /** One subscriber: its filter and its own bounded queue to its socket. */
    private record Subscriber(Predicate<Event> filter, io.taskscope.event.EventQueue queue) {}

    private final Path path;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final Thread acceptor;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);
    private final Semaphore healthSlots = new Semaphore(HEALTH_RESERVE);
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "taskscope-control-timeouts");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.acceptor = new Thread(this::acceptLoop, "taskscope-control");
        acceptor.setDaemon(true);
    }

    /**
     * Binds the socket. A socket file left by a dead agent is replaced; a live agent on the same path
     * is an error (two agents would fight over the same tracees).
     */
    public static ControlServer start(Path path, Handler handler) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            if (Files.exists(path)) {
                if (ControlClient.connect(path, 500).isPresent()) {
                    throw TaskscopeException.runtime("another agent is already listening on " + path,
                            "stop it first, or give this one another TASKSCOPE_SOCKET");
                }
                // Stale: its agent died without cleaning up. Only a socket is ours to remove; anything else
                // at that path is somebody's file, and an agent must not destroy it to start.
                Object mode = Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!(mode instanceof Integer m) || (m & 0170000) != 0140000) {
                    throw TaskscopeException.runtime(path + " exists and is not a socket",
                            "remove it yourself if it is not needed, or give the agent another TASKSCOPE_SOCKET");
                }
                Files.delete(path);
            }
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            ControlServer s = new ControlServer(path, ch, handler);
            s.acceptor.start();
            return s;
        } catch (IOException e) {
            throw TaskscopeException.runtime("cannot listen on " + path + ": " + e.getMessage(),
                    "set TASKSCOPE_SOCKET to a writable path (the directory is created if missing)", e);
        }
    }

    public Path path() {
        return path;
    }

    public int subscribers() {
        return subscribers.size();
    }

    /** Hands an event to every interested subscriber. Never blocks: call it from the tracer's thread. */
    public void publish(Event e) {
        for (Subscriber s : subscribers) {
            boolean wanted;
            try {
                wanted = s.filter().test(e);
            } catch (RuntimeException ex) {
                wanted = false;
            }
            if (wanted) s.queue().offer(e);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) log.warn("control socket accept failed: {}", e.toString());
                continue;
            }
            if (!slots.tryAcquire()) {
                if (!healthSlots.tryAcquire()) {
                    reply(c, error("too many clients (" + MAX_CLIENTS + ")", "close other taskscope sessions"));
                    ControlClient.closeQuietly(c);
                    continue;
                }
                Thread t = new Thread(() -> {
                    try {
                        serveHealthOnly(c);
                    } finally {
                        healthSlots.release();
                        ControlClient.closeQuietly(c);
                    }
                }, "taskscope-control-health");
                t.setDaemon(true);
                t.start();
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    serve(c);
                } finally {
                    slots.release();
                    ControlClient.closeQuietly(c);
                }
            }, "taskscope-control-client");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Every regular slot is taken: answer a health request (within a second), refuse anything else. */
    private void serveHealthOnly(SocketChannel c) {
        var timeout = timeouts.schedule(() -> ControlClient.closeQuietly(c), 1, TimeUnit.SECONDS);
        String line;
        try {
            line = readLine(new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return;
        } finally {
            timeout.cancel(false);
        }
        if (line == null) return;
        try {
            if (JSON.readTree(line).path("cmd").asText("").equals("health")) {
                ObjectNode r = JSON.valueToTree(handler.health());
                r.put("ok", true);
                reply(c, r);
                return;
            }
        } catch (IOException | RuntimeException e) {
            // not JSON, or health failed: refused below like anything else
        }
        reply(c, error("too many clients (" + MAX_CLIENTS + "); only health is answered now", "close other taskscope sessions"));
    }

    private void serve(SocketChannel c) {
        // A client that connects and says nothing must not hold a slot forever.
        var timeout = timeouts.schedule(() -> ControlClient.closeQuietly(c), 5, TimeUnit.SECONDS);
        String line;
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            line = readLine(in);
        } catch (IOException e) {
            return;
        } finally {
            timeout.cancel(false);
        }
        if (line == null) return;
        JsonNode req;
        try {
            req = JSON.readTree(line);
        } catch (IOException e) {
            reply(c, error("the request is not JSON", "send one JSON object per line, e.g. {\"cmd\":\"health\"}"));
            return;
        }
        String cmd = req.path("cmd").asText("");
        try {
            switch (cmd) {
                case "health" -> {
                    ObjectNode r = JSON.valueToTree(handler.health());
                    r.put("ok", true);
                    reply(c, r);
                }
                case "ps" -> {
                    ObjectNode r = JSON.createObjectNode();
                    r.put("ok", true);
                    r.set("tracees", JSON.valueToTree(handler.ps()));
                    reply(c, r);
                }
                case "subscribe" -> subscribe(c, req);
                default -> reply(c, error("unknown command '" + cmd + "'", "use health, ps or subscribe"));
            }
        } catch (TaskscopeException e) {
            reply(c, error(e.getMessage(), e.fix()));
        } catch (RuntimeException e) {
            log.warn("control request {} failed", cmd, e);
            reply(c, error("internal error: " + e, "see the agent's stderr"));
        }
    }

    private void subscribe(SocketChannel c, JsonNode req) {
        Predicate<Event> filter = handler.subscription(req);
        OutputStream out = Channels.newOutputStream(c);
        ObjectNode ok = JSON.createObjectNode();
        ok.put("ok", true);
        if (!reply(c, ok)) return;
        var queue = new io.taskscope.event.EventQueue(SUBSCRIBER_QUEUE, e -> {
            try {
                out.write((io.taskscope.event.EventJson.toJson(e) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }, true);
        Subscriber s = new Subscriber(filter, queue);
        subscribers.add(s);
        log.info("subscriber connected ({} now)", subscribers.size());
        try {
            // Block until the client hangs up (read returns -1) or the agent closes the channel.
            ByteBuffer b = ByteBuffer.allocate(256);
            while (!closed && c.read(b) >= 0) b.clear();
        } catch (IOException e) {
            // the client went away
        } finally {
            subscribers.remove(s);
            handler.unsubscribed(req);
            queue.close(1000);
            log.info("subscriber left ({} now)", subscribers.size());
        }
    }

    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0) {
            if (ch == '\n') return sb.toString();
            if (sb.length() >= MAX_REQUEST) return null;
            sb.append((char) ch);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static ObjectNode error(String problem, String fix) {
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", false);
        r.put("error", fix == null || fix.isEmpty() ? problem : problem + "; " + fix);
        return r;
    }

    private static boolean reply(SocketChannel c, JsonNode r) {
        try {
            ByteBuffer b = ByteBuffer.wrap((JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) c.write(b);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops accepting, ends subscriptions (their queues flush for up to a second) and removes the socket file. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Subscriber s : subscribers) s.queue().close(500);
        timeouts.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not remove {}: {}", path, e.toString());
        }
    }
}
