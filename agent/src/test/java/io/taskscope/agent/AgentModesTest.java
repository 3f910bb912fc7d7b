package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.agent.AgentIntegrationTest.Lines;
import io.taskscope.rules.RuleLoader;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.WebApp;
import io.taskscope.trace.TracedProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's modes on real neighbours: lifecycle by default, escalation at exec, a budget's duty cycle. */
class AgentModesTest {

    @AfterEach
    void cleanup() {
        WebApp.killAll();
    }

    static AgentConfig config(Path dir, String program, Map<String, String> extra) {
        var env = new HashMap<>(Map.of("TASKSCOPE_COMMAND", Pattern.quote(CPrograms.binary(program).toString()),
                "TASKSCOPE_SOCKET", dir.resolve("agent.sock").toString(), "TASKSCOPE_METRICS_INTERVAL", "1s",
                "TASKSCOPE_SCAN_INTERVAL", "200ms"));
        env.putAll(extra);
        return AgentConfig.load(env, Optional.empty(), new ArrayList<>());
    }

    static TracedProcess awaitTraced(Agent agent, long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (TracedProcess t : agent.tracees()) if (t.pid() == pid) return t;
            Thread.sleep(20);
        }
        throw new AssertionError("pid " + pid + " not traced within 5 s: " + agent.tracees());
    }

    @Test
    void byDefaultOnlyLifecycleAndAShellIsEscalatedAtItsExecWithItsChildren(@TempDir Path dir) throws Exception {
        ProcessHandle spawner = WebApp.isolated(dir, "spawner", "300", "/bin/sh", "-c", "\"cat /etc/hostname >/dev/null\"");
        Lines out = new Lines();
        try (Agent agent = Agent.start(config(dir, "spawner", Map.of()), new RuleLoader().addDefaults().build(), out)) {
            TracedProcess t = awaitTraced(agent, spawner.pid());
            assertEquals("lifecycle", t.mode().mode().label(), "the default mode");
            JsonNode exec = out.await(n -> n.path("type").asText().equals("process") && n.path("kind").asText().equals("exec")
                    && n.path("ppid").asLong() == spawner.pid() && n.path("exe").asText().endsWith("sh"), 10);
            assertEquals("syscall", exec.path("mode").asText(), exec.toString());
            assertTrue(exec.path("reason").asText().startsWith("escalated: shell or interpreter"), exec.toString());
            long shell = exec.path("pid").asLong();
            // cat, the shell's child, inherits the escalation: its open of /etc/hostname is seen.
            JsonNode open = out.await(n -> n.path("type").asText().equals("syscall")
                    && "/etc/hostname".equals(n.path("path").asText()) && n.path("syscall").asText().startsWith("open"), 10);
            assertTrue(open.path("pid").asLong() == shell || open.path("comm").asText().equals("cat"), open.toString());
            assertTrue(open.path("coverage").isMissingNode(), "an escalated process is traced in full: " + open);
            Thread.sleep(500);
            assertTrue(out.all.stream().noneMatch(l -> l.contains("\"type\":\"syscall\"") && l.contains("/nonexistent/spawner")),
                    "the spawner itself stays in lifecycle mode: its stat calls are not seen");
        }
        assertEquals(0, CPrograms.tracerPid(spawner.pid()));
        assertTrue(spawner.isAlive());
    }

    @Test
    void aSensitiveFileOpenedInAWatchedContainerIsReportedWithoutAnySyscallStop(@TempDir Path dir) throws Exception {
        ProcessHandle spawner = WebApp.isolated(dir, "spawner", "1000", "/bin/true");
        Lines out = new Lines();
        try (Agent agent = Agent.start(config(dir, "spawner", Map.of()), new RuleLoader().addDefaults().build(), out)) {
            awaitTraced(agent, spawner.pid());
            // the neighbour's root is this machine's /: an open of /etc/shadow from anywhere is an open there
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonNode open = null;
            while (open == null && System.nanoTime() < deadline) {
                java.nio.file.Files.readAllBytes(Path.of("/etc/shadow"));
                try {
                    open = out.await(n -> n.path("type").asText().equals("file") && n.path("kind").asText().equals("open")
                            && n.path("path").asText().equals("/etc/shadow")
                            && n.path("container").asText().equals("spawner"), 1);
                } catch (AssertionError notYet) {
                    // the watch starts with the first scan's containers
                }
            }
            assertTrue(open != null, "no open event for /etc/shadow: " + out.all.size() + " lines");
            assertEquals("spawner", open.path("container").asText(), open.toString());
        }
    }

    @Test
    void aNeighbourThatBecomesATracerIsReportedAndAlertedWithoutAnySyscallStop(@TempDir Path dir) throws Exception {
        io.taskscope.testing.Prereq.requireCommand("strace");
        ProcessHandle victim = WebApp.isolated(dir, "fileloop", "0", "100000");
        ProcessHandle strace = CPrograms.startShell("exec strace -qq -o /dev/null -p " + victim.pid(),
                dir.resolve("strace.out"));
        Lines out = new Lines();
        // nothing selected: the TracerPid scan covers every neighbour all the same
        try (Agent agent = Agent.start(config(dir, "spawner", Map.of()), new RuleLoader().addDefaults().build(), out)) {
            JsonNode traced = out.await(n -> n.path("type").asText().equals("process") && n.path("kind").asText().equals("traced")
                    && n.path("pid").asLong() == victim.pid(), 10);
            assertEquals(strace.pid(), traced.path("tracerPid").asLong(), traced.toString());
            JsonNode alert = out.await(n -> n.path("type").asText().equals("alert")
                    && n.path("rule").asText().equals("ptrace-by-neighbour"), 10);
            assertTrue(alert.toString().contains(Long.toString(victim.pid())), alert.toString());
        } finally {
            strace.destroy();
        }
    }

    @Test
    void aBudgetDutyCyclesABusyProcessAndItsEventsSayWhatTheyCover(@TempDir Path dir) throws Exception {
        ProcessHandle loop = WebApp.isolated(dir, "fileloop", "0", "0");
        String bin = Pattern.quote(CPrograms.binary("fileloop").toString());
        Lines out = new Lines();
        try (Agent agent = Agent.start(config(dir, "fileloop", Map.of("TASKSCOPE_SYSCALL_COMMAND", bin,
                "TASKSCOPE_BUDGET", "5%")), new RuleLoader().addDefaults().build(), out)) {
            TracedProcess t = awaitTraced(agent, loop.pid());
            JsonNode first = out.await(n -> n.path("type").asText().equals("syscall") && n.path("pid").asLong() == loop.pid()
                    && n.has("coverage"), 10);
            assertTrue(first.path("coverage").asDouble() <= 1.0, first.toString());
            Thread.sleep(3000);
            double coverage = t.mode().coverage(System.nanoTime());
            // A tight loop costs far more than 5% in syscall mode (it is stopped most of the time): it spends a share
            // of each second there (on a quiet machine ~5-10%; on a crowded one, where it waits for a CPU rather than
            // for the tracer, more).
            assertTrue(coverage > 0.001 && coverage < 0.9, "coverage " + coverage);
            try (ControlClient c = ControlClient.connect(dir.resolve("agent.sock"), 1000).orElseThrow()) {
                JsonNode ps = c.request(ControlClient.command("ps"), 2000);
                JsonNode me = null;
                for (JsonNode p : ps.path("tracees")) if (p.path("pid").asLong() == loop.pid()) me = p;
                assertTrue(me != null && me.has("coverage") && me.path("reason").asText().contains("budget"), ps.toString());
            }
            JsonNode metrics = out.await(n -> n.path("type").asText().equals("metrics") && n.has("SyscallCoverage"), 5);
            assertTrue(metrics.path("SyscallCoverage").asDouble() < 90, metrics.toString());
        }
        assertEquals(0, CPrograms.tracerPid(loop.pid()));
        assertTrue(loop.isAlive());
    }

    @Test
    void aRelayedTraceOfALifecycleProcessSeesItsCallsAndGivesItBack(@TempDir Path dir) throws Exception {
        ProcessHandle loop = WebApp.isolated(dir, "fileloop", "0", "20000");
        try (Agent agent = Agent.start(config(dir, "fileloop", Map.of("TASKSCOPE_DEFAULT_RULES", "false")),
                new RuleLoader().build(), java.io.OutputStream.nullOutputStream())) {
            TracedProcess t = awaitTraced(agent, loop.pid());
            assertEquals("lifecycle", t.mode().mode().label());
            AgentRelay relay = AgentRelay.tracing(java.util.List.of((int) loop.pid()), dir.resolve("agent.sock")).orElseThrow();
            var got = new java.util.concurrent.LinkedBlockingQueue<io.taskscope.event.Event>();
            var sub = Subscription.of(java.util.List.of((int) loop.pid()), java.util.List.of(), false,
                    java.util.List.of("trace=openat"), java.util.List.of());
            Thread reader = new Thread(() -> relay.stream(sub, got::add));
            reader.setDaemon(true);
            reader.start();
            io.taskscope.event.Event e = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!(e instanceof io.taskscope.event.SyscallEvent) && System.nanoTime() < until) {
                e = got.poll(1, TimeUnit.SECONDS); // process events may come first (the attach's start)
            }
            assertTrue(e instanceof io.taskscope.event.SyscallEvent s && s.pid() == loop.pid(), String.valueOf(e));
            assertEquals("syscall", t.mode().mode().label(), "held in syscall mode while relayed");
            relay.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (t.mode().mode().label().equals("syscall") && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals("lifecycle", t.mode().mode().label(), "back to lifecycle when the last subscriber left");
        }
        assertEquals(0, CPrograms.tracerPid(loop.pid()));
    }
}
