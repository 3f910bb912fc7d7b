package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.FileChangeEvent;
import io.taskscope.task.Task;
import io.taskscope.testing.HostileRoot;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent's sensitive-file watches on a real neighbour with a root of its own. */
class WatchersTest {

    private static void inTarget(HostileRoot target, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Integer.toString(target.pid), "-m", "-r", "--"));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", full));
    }

    private static List<FileChangeEvent> drain(LinkedBlockingQueue<FileChangeEvent> q, long millis) throws InterruptedException {
        List<FileChangeEvent> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            FileChangeEvent e = q.poll(20, TimeUnit.MILLISECONDS);
            if (e != null) out.add(e);
        }
        return out;
    }

    @Test
    void selectedContainersAreWatchedForSensitiveOpensAndMissingFilesArePickedUpAtTheNextScan() throws Exception {
        Prereq.requireCommand("nsenter");
        try (HostileRoot target = HostileRoot.start()) {
            Task task = Task.snapshot();
            String name = task.containerOf(target.pid).orElseThrow().name();
            // only this container: the machine's other containers are none of this test's business
            AgentConfig config = AgentConfig.load(Map.of("TASKSCOPE_CONTAINERS", name), Optional.empty(), new ArrayList<>());
            var q = new LinkedBlockingQueue<FileChangeEvent>();
            try (Watchers w = Watchers.start(List.of(), task, q::add).rewatchEvery(java.time.Duration.ZERO).sensitive(List.of("/etc/shadow", "/root/.aws/credentials"), config)) {
                assertEquals(List.of(), w.sensitiveWatched(name), "neither file exists yet: no watch, no warning");
                Files.writeString(target.root.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\n");
                w.refresh(Task.snapshot()); // the agent's next scan (after 5 s; every scan here)
                assertEquals(List.of("/etc/shadow"), w.sensitiveWatched(name));
                inTarget(target, "cat", "/etc/shadow");
                inTarget(target, "cat", "/etc/passwd");
                List<FileChangeEvent> seen = drain(q, 500);
                assertEquals(1, seen.stream().filter(e -> e.kind() == FileChangeEvent.Kind.OPEN).count(), seen.toString());
                assertTrue(seen.stream().allMatch(e -> e.path().equals("/etc/shadow") && e.container().equals(name)), seen.toString());
                assertFalse(Watchers.selects(config, name + "-other"), "a container no selector names is not watched");
            }
        }
    }
}
