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

    /**
     * Connects, or says exactly why not (what {@code taskscope health} reports): nobody listens (no socket
     * there, or one left by an agent that is gone), permission denied (the socket is root's, mode 600), not a
     * socket, a path too long for a Unix socket, or no answer within {@code timeoutMillis}.
     */
    public static ControlClient connectOrExplain(Path socket, long timeoutMillis) {
        String where = io.taskscope.text.Escape.text(socket.toString());
        if (io.taskscope.text.Bytes.encode(socket.toString()).length > 107) {
            throw TaskscopeException.usage("the socket path " + where + " is longer than 107 bytes, the limit of a Unix socket",
                    "give a shorter --socket or TASKSCOPE_SOCKET");
        }
        String fix = "start it with 'taskscope agent' (or pass --socket / set TASKSCOPE_SOCKET)";
        Object mode;
        try {
            mode = Files.getAttribute(socket, "unix:mode");
        } catch (java.nio.file.NoSuchFileException e) {
            throw TaskscopeException.runtime("no agent is listening on " + where + " (no socket there)", fix);
        } catch (java.nio.file.AccessDeniedException e) {
            throw denied(where);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw TaskscopeException.runtime("cannot use " + where + ": " + reason(e), "point --socket or TASKSCOPE_SOCKET at the agent's control socket");
        }
        if (!(mode instanceof Integer m) || (m & 0170000) != 0140000) {
            throw TaskscopeException.runtime(where + " is not a socket", "point --socket or TASKSCOPE_SOCKET at the agent's control socket");
        }
        if (!Files.isWritable(socket)) throw denied(where); // connect(2) needs write permission on the socket
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw TaskscopeException.runtime("cannot open a Unix socket: " + reason(e), null);
        }
        var t = TIMER.schedule(() -> closeQuietly(ch), timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new ControlClient(ch);
        } catch (java.nio.channels.ClosedChannelException e) {
            throw TaskscopeException.runtime("the agent on " + where + " did not accept the connection within " + timeoutMillis + " ms",
                    "check the agent's log (docker logs / CloudWatch)");
        } catch (IOException e) {
            closeQuietly(ch);
            String why = reason(e);
            if (why.contains("Permission denied")) throw denied(where);
            if (why.contains("Connection refused")) {
                throw TaskscopeException.runtime("no agent is listening on " + where + " (a socket left by an agent that is gone)", fix);
            }
            throw TaskscopeException.runtime("cannot connect to " + where + ": " + why, fix);
        } finally {
            t.cancel(false);
        }
    }

    private static TaskscopeException denied(String where) {
        return TaskscopeException.runtime("permission denied on " + where + ": the agent's control socket is mode 600, its owner's only",
                "run taskscope health as the agent's user (root), as the task's healthCheck does");
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
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
