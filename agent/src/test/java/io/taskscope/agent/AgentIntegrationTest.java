package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.event.Event;
import io.taskscope.event.EventJsonReader;
import io.taskscope.event.SyscallEvent;
import io.taskscope.rules.RuleLoader;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import io.taskscope.testing.WebApp;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent, in this JVM, against a real process in its own mount namespace (a "container" of its
 * own, with a private tmpfs on /var/www/html): events on stdout, the default alert, subscribers.
 */
class AgentIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void cleanup() {
        WebApp.killAll();
    }

    /** Lines written to the agent's "stdout". */
    static final class Lines extends OutputStream {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> all = new CopyOnWriteArrayList<>();
        private final StringBuilder cur = new StringBuilder();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(cur.toString());
                all.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append((char) b);
            }
        }

        JsonNode await(Predicate<JsonNode> p, long seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l == null) continue;
                JsonNode n = JSON.readTree(l);
                if (p.test(n)) return n;
            }
            throw new AssertionError("no such line within " + seconds + " s; got " + all.size() + " lines: "
                    + List.copyOf(all).subList(0, Math.min(5, all.size())));
        }
    }

    /** These tests are about the syscall path: the neighbour in syscall mode (the default is lifecycle). */
    static AgentConfig config(Path dir, String binPattern, Map<String, String> extra) {
        var env = new java.util.HashMap<String, String>(Map.of("TASKSCOPE_COMMAND", binPattern,
                "TASKSCOPE_SOCKET", dir.resolve("agent.sock").toString(), "TASKSCOPE_METRICS_INTERVAL", "1s",
                "TASKSCOPE_SCAN_INTERVAL", "200ms", "TASKSCOPE_MODE", "syscall"));
        env.putAll(extra);
        return AgentConfig.load(env, Optional.empty(), new ArrayList<>());
    }

    @Test
    void tracesANeighbourAndRaisesTheWebRootAlert(@TempDir Path dir) throws Exception {
        WebApp app = WebApp.start(dir, 100_000, 5);
        String marker = WebApp.commandPattern();
        Lines out = new Lines();
        try (Agent agent = Agent.start(config(dir, marker, Map.of()), new RuleLoader().addDefaults().build(), out)) {
            // found by the start-up scan or within one scan interval
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (agent.tracees().stream().noneMatch(t -> t.pid() == app.pid()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(agent.tracees().stream().anyMatch(t -> t.pid() == app.pid()), "attached within the deadline");
            assertTrue(agent.tracerAlive());

            JsonNode enoent = out.await(n -> n.path("type").asText().equals("syscall") && n.path("pid").asLong() == app.pid()
                    && "ENOENT".equals(n.path("errno").asText(null)) && n.path("path").asText().startsWith("/var/www/html/"), 10);
            assertEquals(1, enoent.path("v").asInt());
            assertTrue(enoent.path("container").asText().length() > 0, enoent.toString());
            assertTrue(enoent.path("syscall").asText().matches("stat|newfstatat|statx|fstatat64|lstat"), enoent.toString());

            JsonNode alert = out.await(n -> n.path("type").asText().equals("alert"), 10);
            assertEquals("write-under-web-root", alert.path("rule").asText());
            assertEquals("Critical", alert.path("priority").asText());
            assertEquals("/var/www/html/shell.php", alert.at("/trigger/path").asText());
            // Falco's alert, evaluated on the rules thread with the process table
            assertTrue(alert.path("output").asText().startsWith("File below the web root written in container "), alert.toString());
            assertEquals("/var/www/html/shell.php", alert.at("/output_fields/fd.name").asText(), alert.toString());
            assertEquals("openat", alert.at("/output_fields/evt.type").asText(), alert.toString());
            assertEquals("syscall", alert.path("source").asText());
            assertTrue(alert.path("hostname").asText().length() > 0, alert.toString());

            // the control socket: health and ps see the tracee
            try (ControlClient c = ControlClient.connect(dir.resolve("agent.sock"), 1000).orElseThrow()) {
                JsonNode h = c.request(ControlClient.command("health"), 2000);
                assertTrue(h.path("tracerAlive").asBoolean());
                assertTrue(h.path("tracees").asInt() >= 1);
            }
            JsonNode metrics = out.await(n -> n.path("type").asText().equals("metrics") && n.path("SyscallsTraced").asLong() > 0, 5);
            assertTrue(metrics.path("Alerts").asLong() >= 1 || metrics.path("SyscallsFailed").asLong() >= 1, metrics.toString());
        }
        // stopped: the process runs on, untraced
        assertEquals(0, CPrograms.tracerPid(app.pid()));
        char state = CPrograms.state(app.pid());
        assertTrue(state == 'S' || state == 'R', "state " + state);
        assertTrue(app.isAlive());
    }

    @Test
    void theRulesSyscallsAreTracedEvenWhenTaskscopeFilterLeavesThemOut(@TempDir Path dir) throws Exception {
        WebApp app = WebApp.start(dir, 100_000, 5);
        Lines out = new Lines();
        // %process only: no openat, yet the shipped write-under-web-root rule needs it
        AgentConfig cfg = config(dir, WebApp.commandPattern(), Map.of("TASKSCOPE_FILTER", "trace=%process"));
        try (Agent agent = Agent.start(cfg, new RuleLoader().addDefaults().build(), out)) {
            JsonNode alert = out.await(n -> n.path("type").asText().equals("alert") && n.path("rule").asText().equals("write-under-web-root"), 10);
            assertEquals("openat", alert.at("/output_fields/evt.type").asText(), alert.toString());
            assertEquals(app.pid(), alert.at("/trigger/pid").asLong(), alert.toString());
            try (ControlClient c = ControlClient.connect(dir.resolve("agent.sock"), 1000).orElseThrow()) {
                JsonNode h = c.request(ControlClient.command("health"), 2000);
                String filter = h.path("filter").get(0).asText();
                assertTrue(filter.startsWith("trace=%process,") && filter.contains(",openat,") && filter.contains(",ptrace"), h.toString());
            }
            Thread.sleep(300); // more of the process's calls: what neither the filter nor a rule names is still not traced
            for (String line : List.copyOf(out.all)) {
                JsonNode n = JSON.readTree(line);
                if (n.path("type").asText().equals("syscall")) {
                    assertTrue(!n.path("syscall").asText().matches("newfstatat|stat|statx|lstat|write|read|close"),
                            "a syscall neither TASKSCOPE_FILTER nor a rule names was traced: " + line);
                }
            }
        }
        assertEquals(0, CPrograms.tracerPid(app.pid()));
    }

    @Test
    void aProcessThatExecsIntoASelectedProgramIsTracedWithoutANewPid(@TempDir Path dir) throws Exception {
        Prereq.requireRoot();
        Path bin = CPrograms.binary("agentload");
        // An entrypoint's 'exec "$@"': the shell spins on builtins (no fork, so the PID set stays the same)
        // and then becomes the selected program under the same PID.
        Path go = dir.resolve("go");
        String inner = "mount -t tmpfs tmpfs /var/www/html && while [ ! -e " + go + " ]; do :; done; exec "
                + bin + " /var/www/html 100000 5";
        ProcessHandle h = CPrograms.startShell("exec unshare --mount --propagation private sh -c '" + inner + "'",
                dir.resolve("late.out"));
        Lines out = new Lines();
        // Anchored: the shell's own command line names the program too ("sh -c ... exec agentload ...").
        String selector = "^" + WebApp.commandPattern() + " ";
        try (Agent agent = Agent.start(config(dir, selector, Map.of()), new RuleLoader().addDefaults().build(), out)) {
            Thread.sleep(1000); // a few scans see the shell, unselected, with an unchanged PID set
            assertTrue(agent.tracees().stream().noneMatch(t -> t.pid() == h.pid()), "the shell is not selected");
            Files.writeString(go, "");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (agent.tracees().stream().noneMatch(t -> t.pid() == h.pid()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(h.info().command().orElse("").endsWith("/agentload"), "the shell became the program");
            assertTrue(agent.tracees().stream().anyMatch(t -> t.pid() == h.pid()), "traced after its exec, same PID");
        }
        assertEquals(0, CPrograms.tracerPid(h.pid()));
    }

    @Test
    void aSubscriberSeesOnlyWhatItAskedFor(@TempDir Path dir) throws Exception {
        WebApp app = WebApp.start(dir, 50_000, 5);
        String marker = WebApp.commandPattern();
        try (Agent agent = Agent.start(config(dir, marker, Map.of("TASKSCOPE_DEFAULT_RULES", "false")),
                new RuleLoader().build(), OutputStream.nullOutputStream())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (agent.tracees().stream().noneMatch(t -> t.pid() == app.pid()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            BlockingQueue<Event> got = new LinkedBlockingQueue<>();
            // what 'taskscope trace -p PID' does when the agent already traces PID
            AgentRelay relay = AgentRelay.tracing(List.of((int) app.pid()), dir.resolve("agent.sock")).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), relay.agentPid());
            // The agent traces %file,%process,...: a relayed 'trace -e trace=write,%file' cannot show write.
            assertEquals(List.of("write"), relay.unseen(io.taskscope.decode.SyscallFilter.parse(List.of("trace=write,%file"))));
            assertEquals(List.of(), relay.unseen(io.taskscope.decode.SyscallFilter.parse(List.of("trace=openat"))));
            assertTrue(AgentRelay.tracing(List.of((int) ProcessHandle.current().pid()), dir.resolve("agent.sock")).isEmpty(),
                    "an untraced process is not relayed");
            var sub = Subscription.of(List.of((int) app.pid()), List.of(), true, List.of("trace=openat", "status=successful"), List.of());
            Thread reader = new Thread(() -> relay.stream(sub, got::add));
            reader.setDaemon(true);
            reader.start();
            for (int i = 0; i < 5; i++) {
                Event e = got.poll(5, TimeUnit.SECONDS);
                assertTrue(e instanceof SyscallEvent, String.valueOf(e));
                SyscallEvent s = (SyscallEvent) e;
                assertEquals("openat", s.syscall());
                assertEquals(null, s.errno());
                assertEquals(app.pid(), s.pid());
            }
            relay.close();
        }
    }

    @Test
    void watchesAContainersWebRootWithInotifyAndAlerts(@TempDir Path dir) throws Exception {
        WebApp app = WebApp.start(dir, 100_000, 5);
        Lines out = new Lines();
        // trace nothing: the file events come from inotify alone
        AgentConfig cfg = config(dir, "^no-such-process-taskscope$", Map.of("TASKSCOPE_WATCH", "agentload:/var/www/html,agentload:/nonexistent"));
        try (Agent agent = Agent.start(cfg, new RuleLoader().addDefaults().build(), out)) {
            assertEquals(0, agent.tracees().size());
            JsonNode file = out.await(n -> n.path("type").asText().equals("file"), 10);
            assertEquals("/var/www/html/shell.php", file.path("path").asText());
            assertEquals("agentload", file.path("container").asText());
            JsonNode alert = out.await(n -> n.path("type").asText().equals("alert"), 10);
            assertEquals("write-under-web-root", alert.path("rule").asText());
            assertEquals("file", alert.at("/trigger/type").asText());
        }
        assertEquals(0, CPrograms.tracerPid(app.pid()), "never traced");
    }
}
