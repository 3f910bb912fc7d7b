package io.taskscope.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.TaskscopeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client side of the agent's control socket, for {@code health}, {@code ps} and {@code trace}
 * in an ECS Exec session. See {@link ControlServer} for the protocol.
 */
public final class ControlClient implements AutoCloseable {
    private static final ObjectMapper JSON = io.taskscope.text.Escape.jsonMapper();
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "taskscope-client-timeout");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final BufferedReader in;

    private ControlClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    /** Connects when an agent listens on {@code socket}; empty when none does (no file, refused). */
    public static Optional<ControlClient> connect(Path socket, long timeoutMillis) {
        if (!Files.exists(socket)) return Optional.empty();
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            var t = TIMER.schedule(() -> closeQuietly(ch), timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } finally {
                t.cancel(false);
            }
            return Optional.of(new ControlClient(ch));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The socket path from TASKSCOPE_SOCKET, else the default ({@link AgentSocket#path()}). */
    public static Path defaultSocket() {
        return AgentSocket.path();
    }

    /**
     * Sends one request and returns the reply; throws when the agent does not answer within
     * {@code timeoutMillis} or answers {@code "ok": false}.
     */
    public JsonNode request(JsonNode req, long timeoutMillis) {
        send(req);
        var t = TIMER.schedule(() -> closeQuietly(channel), timeoutMillis, TimeUnit.MILLISECONDS);
        String line;
        try {
            line = in.readLine();
        } catch (IOException e) {
            line = null;
        } finally {
            t.cancel(false);
        }
        if (line == null) {
            throw TaskscopeException.runtime("the agent did not answer within " + timeoutMillis + " ms",
                    "check the agent's log (docker logs / CloudWatch)");
        }
        JsonNode r;
        try {
            r = JSON.readTree(line);
        } catch (IOException e) {
            throw TaskscopeException.runtime("the agent answered something that is not JSON", "check the agent's version");
        }
        if (!r.path("ok").asBoolean(false)) {
            throw TaskscopeException.runtime("the agent refused: " + r.path("error").asText("no reason given"), null);
        }
        return r;
    }

    /**
     * Subscribes and hands every event line to {@code lines} until the agent closes the stream,
     * {@link #close()} is called from another thread, or the thread is interrupted.
     */
    public void subscribe(JsonNode req, Consumer<String> lines) {
        request(req, 5_000);
        try {
            String line;
            while ((line = in.readLine()) != null) lines.accept(line);
        } catch (IOException e) {
            // closed by close() or by the agent: the stream is over either way
        }
    }

    private void send(JsonNode req) {
        try {
            ByteBuffer b = ByteBuffer.wrap((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) channel.write(b);
        } catch (IOException e) {
            throw TaskscopeException.runtime("lost the connection to the agent: " + e.getMessage(), "is the agent still running?");
        }
    }

    public static JsonNode command(String cmd) {
        return JSON.createObjectNode().put("cmd", cmd);
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
