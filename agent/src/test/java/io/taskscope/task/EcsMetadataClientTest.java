package io.taskscope.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.taskscope.TaskscopeException;
import io.taskscope.proc.ProcPath;
import io.taskscope.testing.ProcFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a local server that serves the documented v4 JSON shape (the real one lives inside ECS). */
class EcsMetadataClientTest {
    @TempDir
    Path tmp;
    HttpServer server;
    final CountDownLatch release = new CountDownLatch(1);
    volatile String lastPath;
    final java.util.concurrent.atomic.AtomicInteger slowRequests = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v4/ok", ex -> {
            lastPath = ex.getRequestURI().getPath();
            byte[] body;
            if (lastPath.endsWith("/task")) {
                try (InputStream in = getClass().getResourceAsStream("/ecs/task-fargate.json")) {
                    body = in.readAllBytes();
                }
            } else { // the container endpoint: the metadata of the container that asks (the monitor)
                body = "{\"DockerId\": \"9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d-3741870225\", \"Name\": \"monitor\"}"
                        .getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/v4/malformed", ex -> {
            byte[] body = "{\"Cluster\": \"default\", \"Containers\": [{\"Name\": \"web\"".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/v4/shape", ex -> {
            byte[] body = "{\"Cluster\": \"default\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/v4/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.createContext("/v4/slow", ex -> {
            slowRequests.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private EcsMetadataClient client(String path, long timeoutMs) {
        return new EcsMetadataClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path),
                Duration.ofMillis(timeoutMs));
    }

    @Test
    void readsTheTaskDocument() {
        EcsTaskMetadata m = client("/v4/ok", 2000).task();
        assertEquals("/v4/ok/task", lastPath);
        assertEquals("taskscope-demo", m.family());
        assertEquals("ap-northeast-1a", m.availabilityZone(), "the task's identity in events needs the AZ");
        assertEquals(Optional.of("FARGATE"), m.launchType());
        assertEquals(3, m.containers().size());
        assertEquals("web", m.containers().get(0).name());
        assertEquals("9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d-1116234402", m.containers().get(0).dockerId());
        assertEquals("php:8.3-fpm-alpine", m.containers().get(1).image());
    }

    @Test
    void aSlowEndpointTimesOutQuickly() {
        long t0 = System.nanoTime();
        TaskscopeException e = assertThrows(TaskscopeException.class, () -> client("/v4/slow", 300).task());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // One deadline for the whole exchange, and one request: HttpURLConnection sent it twice and took 2x.
        assertTrue(ms >= 300 && ms < 800, "gave up after " + ms + " ms, for a 300 ms timeout");
        assertEquals(1, slowRequests.get(), "the request is sent once");
        assertTrue(e.oneLine().contains("did not answer within 300 ms"), e.oneLine());
        assertEquals(TaskscopeException.Kind.RUNTIME, e.kind());
    }

    @Test
    void aPrivateCgroupNamespaceStillNamesTheMonitorsContainer() throws IOException {
        // Docker's default on cgroup v2: we see our own cgroup as "0::/", so no DockerId matches it.
        ProcPath proc = ProcFixture.materialize("task", tmp);
        Files.writeString(proc.root().resolve("44/cgroup"), "0::/\n");
        Files.writeString(proc.root().resolve("42/cgroup"), "0::/\n");
        Task t = Task.snapshot(proc, Optional.of(client("/v4/ok", 2000)));
        assertEquals("/v4/ok", lastPath, "asked the container endpoint which container is ours");
        Container monitor = t.containerOf(44).orElseThrow();
        assertEquals("monitor", monitor.name());
        assertTrue(monitor.self() && monitor.infrastructure(), "our container is self and set apart");
        assertEquals("monitor", t.containerOf(42).orElseThrow().name(), "and so is the rest of it (sleep infinity)");
        assertEquals("web", t.containerOf(18).orElseThrow().name());
    }

    @Test
    void httpRepliesAreParsedStrictly() {
        URI u = URI.create("http://127.0.0.1/v4/x/task");
        assertEquals("{}", new String(EcsMetadataClient.body("HTTP/1.0 200 OK\r\nContent-Type: a\r\n\r\n{}".getBytes(), u)));
        TaskscopeException e = assertThrows(TaskscopeException.class,
                () -> EcsMetadataClient.body("HTTP/1.1 503 Busy\r\n\r\n".getBytes(), u));
        assertTrue(e.oneLine().contains("answered HTTP 503"), e.oneLine());
        e = assertThrows(TaskscopeException.class, () -> EcsMetadataClient.body("SSH-2.0-OpenSSH\r\n".getBytes(), u));
        assertTrue(e.oneLine().contains("not an HTTP reply"), e.oneLine());
    }

    @Test
    void malformedRepliesAreClearErrors() {
        TaskscopeException e = assertThrows(TaskscopeException.class, () -> client("/v4/malformed", 2000).task());
        assertTrue(e.oneLine().startsWith("malformed ECS metadata reply from http://127.0.0.1:"), e.oneLine());
        assertTrue(e.oneLine().contains("not JSON"), e.oneLine());
        e = assertThrows(TaskscopeException.class, () -> client("/v4/shape", 2000).task());
        assertTrue(e.oneLine().contains("no \"Containers\" array"), e.oneLine());
        e = assertThrows(TaskscopeException.class, () -> client("/v4/missing", 2000).task());
        assertTrue(e.oneLine().contains("answered HTTP 404"), e.oneLine());
        e = assertThrows(TaskscopeException.class, () -> EcsMetadataClient.parse(new byte[0], "x"));
        assertTrue(e.oneLine().contains("malformed"), e.oneLine());
    }

    @Test
    void aBrokenEndpointBecomesAWarningAndGroupingFallsBack() {
        ProcPath proc = ProcFixture.materialize("task", tmp);
        Task t = Task.snapshot(proc, Optional.of(client("/v4/malformed", 2000)));
        assertEquals(1, t.warnings().size());
        assertTrue(t.warnings().get(0).contains("grouped by namespace instead"), t.warnings().get(0));
        assertEquals(Container.Source.NAMESPACE, t.containerOf(18).orElseThrow().source());

        Task ok = Task.snapshot(proc, Optional.of(client("/v4/ok", 2000)));
        assertEquals("web", ok.containerOf(18).orElseThrow().name());
        assertTrue(ok.warnings().isEmpty());
    }
}
