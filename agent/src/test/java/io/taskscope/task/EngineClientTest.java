package io.taskscope.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.TaskscopeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineClientTest {
    @TempDir
    Path tmp;

    @Test
    void dockerListGivesNamesImagesAndFullIds() throws IOException {
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock"))
                .json("/containers/json", EngineServer.resource("docker-containers.json"))) {
            List<EngineContainer> cs = s.client().containers();
            assertEquals(List.of("monitor", "app", "pause"), cs.stream().map(EngineContainer::name).toList());
            EngineContainer app = cs.get(1);
            assertEquals("bd068a5d6f2cf0929f11b025a15eeaf50f3e3c2e34f6645e11cbf8a470b0d86a", app.id());
            assertEquals("taskscope-engines/base:bookworm", app.image());
            assertEquals(List.of("/containers/json"), s.requests);
        }
    }

    @Test
    void composeContainersAreNamedAfterTheirService() throws IOException {
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock"))
                .json("/containers/json", EngineServer.resource("docker-compose-containers.json"))) {
            List<EngineContainer> cs = s.client().containers();
            assertEquals(List.of("monitor", "app", "pause"), cs.stream().map(EngineContainer::name).toList());
            assertEquals("taskscope-demo_app_1", cs.get(1).engineName(), "docker ps's NAMES stays known");
        }
    }

    @Test
    void podmansCompatibleApiNamesPodContainers() throws IOException {
        try (EngineServer s = new EngineServer(tmp.resolve("podman.sock"))
                .json("/containers/json", EngineServer.resource("podman-pod-containers.json"))) {
            List<EngineContainer> cs = s.client().containers();
            assertTrue(cs.stream().anyMatch(c -> c.name().equals("e336df17ce9b-infra")
                    && c.image().equals("localhost/podman-pause:4.3.1-0")), cs.toString());
            assertTrue(cs.stream().anyMatch(c -> c.name().equals("app")), cs.toString());
        }
    }

    @Test
    void inspectByIdAndUnknownIdIsEmpty() throws IOException {
        String id = "bd068a5d6f2cf0929f11b025a15eeaf50f3e3c2e34f6645e11cbf8a470b0d86a";
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock"))
                .json("/containers/" + id + "/json", EngineServer.resource("docker-inspect-app.json"))) {
            EngineContainer app = s.client().container(id).orElseThrow();
            assertEquals("app", app.name());
            assertEquals(id, app.id());
            assertEquals("taskscope-engines/base:bookworm", app.image());
            assertEquals(Optional.empty(), s.client().container("0123456789ab"));
            assertEquals(Optional.empty(), s.client().container("x/../../images/json"), "never a path in the request line");
            assertEquals(2, s.requests.size());
        }
    }

    @Test
    void aChunkedReplyIsDecoded() throws IOException {
        String body = "[{\"Id\":\"" + "a".repeat(64) + "\",\"Names\":[\"/web\"],\"Image\":\"nginx\",\"Labels\":{}}]";
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n";
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock")).raw("/containers/json", chunked.getBytes(StandardCharsets.UTF_8))) {
            assertEquals("web", s.client().containers().get(0).name());
        }
    }

    @Test
    void aSilentEngineTimesOutAndErrorsSayWhatToExpect() throws IOException {
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock")).json("/containers/json", "[]".getBytes())) {
            s.delayMillis = 2000;
            long t0 = System.nanoTime();
            TaskscopeException e = assertThrows(TaskscopeException.class, () -> s.client().containers());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 1500, "one deadline for the whole exchange: " + ms + " ms");
            assertTrue(e.oneLine().contains("did not answer GET /containers/json within 500 ms"), e.oneLine());
            assertTrue(e.oneLine().contains("short IDs"), e.oneLine());
        }
        try (EngineServer s = new EngineServer(tmp.resolve("bad.sock")).raw("/containers/json", "HTTP/1.0 200 OK\r\n\r\n{oops".getBytes())) {
            assertTrue(assertThrows(TaskscopeException.class, () -> s.client().containers()).oneLine().contains("not JSON"));
        }
        try (EngineServer s = new EngineServer(tmp.resolve("denied.sock")).raw("/containers/json", "HTTP/1.0 403 Forbidden\r\n\r\n".getBytes())) {
            assertTrue(assertThrows(TaskscopeException.class, () -> s.client().containers()).oneLine().contains("answered HTTP 403"));
        }
        TaskscopeException gone = assertThrows(TaskscopeException.class,
                () -> new EngineClient(tmp.resolve("none.sock"), java.time.Duration.ofMillis(200)).containers());
        assertTrue(gone.oneLine().startsWith("cannot ask the container engine on "), gone.oneLine());
    }

    @Test
    void oddLabelsNeverBecomeNames() {
        String id = "b".repeat(64);
        EngineContainer c = EngineContainer.of(id, "/ok-name", "img\u001b[31m",
                Map.of(EngineContainer.COMPOSE_SERVICE, "evil\u001b[2J name"));
        assertEquals("ok-name", c.name(), "a label that is no valid name is ignored");
        assertEquals("img?[31m", c.image());
        assertEquals("bbbbbbbbbbbb", EngineContainer.of(id, "/\n", "", Map.of()).name(), "no usable name: the short ID");
    }

    @Test
    void findsASocketFromTheEnvironmentOrNone() throws IOException {
        try (EngineServer s = new EngineServer(tmp.resolve("custom.sock"))) {
            assertEquals(Optional.of(s.socket), EngineClient.find(Map.of("DOCKER_HOST", "unix://" + s.socket)).map(EngineClient::socket));
            assertEquals(Optional.of(s.socket), EngineClient.find(Map.of("CONTAINER_HOST", "unix://" + s.socket)).map(EngineClient::socket));
        }
        Path file = Files.writeString(tmp.resolve("not-a-socket"), "x");
        Optional<EngineClient> none = EngineClient.find(Map.of("DOCKER_HOST", "unix://" + file, "CONTAINER_HOST", "tcp://127.0.0.1:2375"));
        assertTrue(none.isEmpty() || EngineClient.DEFAULT_SOCKETS.contains(none.get().socket()), "a plain file is no socket");
    }
}
