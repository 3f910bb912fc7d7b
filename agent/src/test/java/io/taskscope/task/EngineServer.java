package io.taskscope.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for an engine's API socket in unit tests: answers each request line's path with a canned
 * HTTP reply (recorded JSON from Docker 20.10 and podman 4.3 under src/test/resources/engine), 404 else.
 */
final class EngineServer implements AutoCloseable {
    final Path socket;
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> replies = new ConcurrentHashMap<>();
    private final ServerSocketChannel server;
    private final Thread thread;
    volatile long delayMillis;

    EngineServer(Path socket) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "engine-server");
        thread.setDaemon(true);
        thread.start();
    }

    static byte[] resource(String name) {
        try (InputStream in = EngineServer.class.getResourceAsStream("/engine/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    EngineServer json(String path, byte[] body) {
        return raw(path, ("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\n\r\n"
                + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    }

    EngineServer raw(String path, byte[] reply) {
        replies.put(path, reply);
        return this;
    }

    EngineClient client() {
        return new EngineClient(socket, java.time.Duration.ofMillis(500));
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                ByteBuffer buf = ByteBuffer.allocate(8192);
                StringBuilder head = new StringBuilder();
                while (head.indexOf("\r\n\r\n") < 0 && ch.read(buf) > 0) {
                    head.append(new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1));
                    buf.clear();
                }
                String path = head.toString().split(" ", 3)[1];
                requests.add(path);
                if (delayMillis > 0) Thread.sleep(delayMillis);
                byte[] reply = replies.getOrDefault(path,
                        "HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"message\":\"No such container\"}".getBytes());
                ch.write(ByteBuffer.wrap(reply));
            } catch (IOException | RuntimeException e) {
                // closed, or a client that went away
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
