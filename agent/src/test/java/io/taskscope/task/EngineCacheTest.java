package io.taskscope.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.proc.ProcPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent regroups the task at every change of its PID set; the engine is asked only when a container it has
 * not named appears, and a failing engine is not asked again for a while (names already known stay).
 */
class EngineCacheTest {
    @TempDir
    Path tmp;

    @Test
    void theEngineIsAskedOnlyAboutContainersItHasNotNamed() throws IOException {
        ProcPath proc = TaskEngineTest.dockerTask(tmp);
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock"))
                .json("/containers/json", EngineServer.resource("docker-compose-containers.json"))) {
            EngineCache cache = new EngineCache(s.client());
            Task first = TaskEngineTest.task(proc, Optional.of(cache));
            assertEquals(List.of("pause", "app", "5a7d6e0c1b2f", "monitor"), first.containers().stream().map(Container::name).toList());
            List<String> asked = List.of("/containers/json", "/containers/" + TaskEngineTest.WEB + "/json");
            assertEquals(asked, s.requests);
            // A worker exits (the PID set changes, the agent regroups): the same containers, no request.
            try (var files = java.nio.file.Files.walk(proc.root().resolve("19"))) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(f);
            }
            Task second = TaskEngineTest.task(proc, Optional.of(cache));
            assertEquals(List.of("pause", "app", "5a7d6e0c1b2f", "monitor"), second.containers().stream().map(Container::name).toList());
            assertEquals(Container.Source.ENGINE, second.container("app").orElseThrow().source());
            assertEquals(asked, s.requests, "web, unknown to the engine, is not asked about again either");
            assertEquals(List.of(), second.warnings());
        }
    }

    /** An engine stand-in that counts calls and fails on demand. */
    private static final class Fake implements EngineNames {
        final Map<String, EngineContainer> known = new HashMap<>();
        final List<Collection<String>> calls = new ArrayList<>();
        boolean failing;

        @Override
        public Map<String, EngineContainer> names(Collection<String> ids, List<String> warnings) {
            calls.add(List.copyOf(ids));
            if (failing) {
                warnings.add("engine at /x.sock: no answer within 1000 ms");
                return Map.of();
            }
            Map<String, EngineContainer> out = new HashMap<>();
            for (String id : ids) if (known.containsKey(id)) out.put(id, known.get(id));
            return out;
        }
    }

    @Test
    void aFailingEngineIsAskedAgainOnlyAfterAPauseAndNamesKnownStay() {
        String a = "a".repeat(64), b = "b".repeat(64);
        Fake engine = new Fake();
        engine.known.put(a, EngineContainer.of(a, "/tsengines_app_1", "img", Map.of(EngineContainer.COMPOSE_SERVICE, "app")));
        engine.known.put(b, EngineContainer.of(b, "/tsengines_web_1", "img", Map.of(EngineContainer.COMPOSE_SERVICE, "web")));
        AtomicLong now = new AtomicLong(0);
        EngineCache cache = new EngineCache(engine, now::get);
        List<String> warnings = new ArrayList<>();
        assertEquals("app", cache.names(List.of(a), warnings).get(a).name());
        engine.failing = true;
        Map<String, EngineContainer> got = cache.names(List.of(a, b), warnings);
        assertEquals("app", got.get(a).name(), "a name already known stays");
        assertTrue(!got.containsKey(b), "the new container keeps its short ID meanwhile");
        assertEquals(1, warnings.size(), warnings.toString());
        now.addAndGet(EngineCache.RETRY_NANOS / 2);
        cache.names(List.of(a, b), warnings);
        assertEquals(2, engine.calls.size(), "not asked again before the pause ends");
        engine.failing = false;
        now.addAndGet(EngineCache.RETRY_NANOS);
        assertEquals("web", cache.names(List.of(a, b), warnings).get(b).name());
        assertEquals(List.of(b), engine.calls.get(2), "only about the container not yet named");
        cache.names(List.of(b), warnings); // a's container is gone: forgotten
        cache.names(List.of(a, b), warnings);
        assertEquals(List.of(a), engine.calls.get(3));
        assertEquals(4, engine.calls.size());
    }
}
