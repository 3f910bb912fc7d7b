package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.TaskscopeException;
import io.taskscope.decode.SyscallTable;
import io.taskscope.event.Event;
import io.taskscope.event.EventJsonReader;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {
    private static final ControlServer.Handler HANDLER = new ControlServer.Handler() {
        @Override
        public Map<String, Object> health() {
            return Map.of("tracerAlive", true, "tracees", 2);
        }

        @Override
        public List<Map<String, Object>> ps() {
            return List.of(Map.of("pid", 24, "container", "app", "comm", "php-fpm"));
        }

        @Override
        public Predicate<Event> subscription(JsonNode request) {
            return Subscription.fromRequest(request).predicate(SyscallTable.current());
        }
    };

    private static SyscallEvent call(int pid, String syscall, String errno) {
        return new SyscallEvent(1_000_000_000L, pid, pid, "app", "php-fpm", 82, syscall, List.of("\"/x\""), "/x", null,
                errno == null ? 0 : -1, errno, 3);
    }

    @Test
    void healthAndPsAnswerOnePerConnection(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("run/agent.sock");
        try (ControlServer server = ControlServer.start(sock, HANDLER)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            try (ControlClient c = ControlClient.connect(sock, 1000).orElseThrow()) {
                JsonNode r = c.request(ControlClient.command("health"), 2000);
                assertTrue(r.get("tracerAlive").asBoolean());
                assertEquals(2, r.get("tracees").asInt());
            }
            try (ControlClient c = ControlClient.connect(sock, 1000).orElseThrow()) {
                assertEquals(24, c.request(ControlClient.command("ps"), 2000).at("/tracees/0/pid").asInt());
            }
            try (ControlClient c = ControlClient.connect(sock, 1000).orElseThrow()) {
                var e = assertThrows(TaskscopeException.class, () -> c.request(ControlClient.command("dance"), 2000));
                assertEquals("the agent refused: unknown command 'dance'; use health, ps or subscribe", e.oneLine());
            }
        }
        assertFalse(Files.exists(sock), "socket file removed at close");
        assertTrue(ControlClient.connect(sock, 500).isEmpty());
    }

    @Test
    void staleSocketIsReplacedButALiveAgentIsNot(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("agent.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(sock));
        } // closed: the file stays, nobody listens, like after SIGKILL
        assertTrue(Files.exists(sock));
        try (ControlServer server = ControlServer.start(sock, HANDLER)) {
            var e = assertThrows(TaskscopeException.class, () -> ControlServer.start(sock, HANDLER));
            assertTrue(e.getMessage().startsWith("another agent is already listening on " + sock), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverRemoved(@TempDir Path dir) throws Exception {
        Path notASocket = Files.writeString(dir.resolve("agent.sock"), "important\n");
        TaskscopeException e = assertThrows(TaskscopeException.class, () -> ControlServer.start(notASocket, HANDLER));
        assertTrue(e.oneLine().contains("exists and is not a socket"), e.oneLine());
        assertEquals("important\n", Files.readString(notASocket), "the file is left as it was");
        Path directory = Files.createDirectory(dir.resolve("sockdir"));
        assertThrows(TaskscopeException.class, () -> ControlServer.start(directory, HANDLER));
        assertTrue(Files.isDirectory(directory));
    }

    @Test
    void subscribersGetTheirFilteredEventsAndFollowChildren(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("agent.sock");
        try (ControlServer server = ControlServer.start(sock, HANDLER)) {
            BlockingQueue<Event> got = new LinkedBlockingQueue<>();
            ControlClient c = ControlClient.connect(sock, 1000).orElseThrow();
            var sub = Subscription.of(List.of(24), List.of(), true, List.of("trace=openat,lstat", "status=failed"), List.of());
            Thread reader = new Thread(() -> c.subscribe(sub.toRequest(), l -> EventJsonReader.parse(l).ifPresent(got::add)));
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.subscribers() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(1, server.subscribers());
            server.publish(call(24, "lstat", "ENOENT"));       // wanted
            server.publish(call(24, "lstat", null));           // status=failed: no
            server.publish(call(24, "close", "EBADF"));        // not in trace=: no
            server.publish(call(99, "openat", "ENOENT"));      // another process: no
            server.publish(new ProcessEvent(0, ProcessEvent.Kind.START, 25, 24, "app", "php-fpm", null, null, 82, null, null));
            server.publish(call(25, "openat", "EACCES"));      // a child of 24 with follow: wanted
            Event a = got.poll(5, TimeUnit.SECONDS);
            Event b = got.poll(5, TimeUnit.SECONDS);
            Event d = got.poll(5, TimeUnit.SECONDS);
            assertEquals("lstat", ((SyscallEvent) a).syscall());
            assertEquals("ENOENT", ((SyscallEvent) a).errno());
            assertEquals(1_000_000_000L, a.timeNanos());
            assertEquals(25, ((ProcessEvent) b).pid());
            assertEquals(25, ((SyscallEvent) d).pid());
            assertEquals(null, got.poll(200, TimeUnit.MILLISECONDS));
            c.close();
            reader.join(5000);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.subscribers() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(0, server.subscribers(), "a client that hangs up is forgotten");
        }
    }

    @Test
    void badSubscriptionFilterIsRefusedBeforeStreaming(@TempDir Path dir) {
        Path sock = dir.resolve("agent.sock");
        try (ControlServer server = ControlServer.start(sock, HANDLER);
             ControlClient c = ControlClient.connect(sock, 1000).orElseThrow()) {
            var sub = Subscription.of(List.of(1), List.of(), false, List.of("trace=opne"), List.of());
            var e = assertThrows(TaskscopeException.class, () -> c.subscribe(sub.toRequest(), l -> { }));
            assertTrue(e.getMessage().contains("invalid system call 'opne'"), e.getMessage());
        }
    }

    @Test
    void aSubscriberThatNeverReadsNeverBlocksPublish(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("agent.sock");
        try (ControlServer server = ControlServer.start(sock, HANDLER)) {
            ControlClient c = ControlClient.connect(sock, 1000).orElseThrow();
            // subscribe by hand and then never read: the socket buffer fills, then the subscriber's queue
            c.request(Subscription.of(List.of(), List.of(), false, List.of(), List.of()).toRequest(), 2000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.subscribers() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
            long start = System.nanoTime();
            for (int i = 0; i < 200_000; i++) server.publish(call(24, "openat", null));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms < 5_000, "publishing 200k events to a stuck subscriber took " + ms + " ms");
            c.close();
        }
    }

    @Test
    void healthIsAnsweredWhileSixteenSubscribersHoldEverySlot(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("agent.sock");
        List<java.nio.channels.SocketChannel> held = new java.util.ArrayList<>();
        try (ControlServer server = ControlServer.start(sock, HANDLER)) {
            for (int i = 0; i < 16; i++) {
                var ch = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(sock));
                held.add(ch);
                ch.write(java.nio.ByteBuffer.wrap("{\"cmd\":\"subscribe\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                var reply = new java.io.BufferedReader(new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(ch)));
                assertTrue(reply.readLine().contains("\"ok\":true"));
            }
            for (int i = 0; i < 3; i++) { // the health check runs every few seconds, again and again
                try (ControlClient c = ControlClient.connect(sock, 1000).orElseThrow()) {
                    assertTrue(c.request(ControlClient.command("health"), 2000).get("tracerAlive").asBoolean());
                }
            }
            try (ControlClient c = ControlClient.connect(sock, 1000).orElseThrow()) {
                var e = assertThrows(TaskscopeException.class, () -> c.request(ControlClient.command("ps"), 2000));
                assertTrue(e.oneLine().contains("too many clients (16); only health is answered now"), e.oneLine());
            }
        } finally {
            for (var ch : held) ch.close();
        }
    }
}
