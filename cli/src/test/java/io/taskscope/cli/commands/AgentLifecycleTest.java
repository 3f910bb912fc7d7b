package io.taskscope.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.agent.ControlClient;
import io.taskscope.cli.Main;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.WebApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code taskscope agent} as a real process, the way ECS runs it: SIGTERM, SIGKILL, a stdout that
 * nobody reads, and {@code taskscope health} against it.
 */
class AgentLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Process> agents = new ArrayList<>();

    @AfterEach
    void cleanup() throws Exception {
        for (Process p : agents) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        WebApp.killAll();
    }

    /** Starts the agent JVM with the image's memory flags; stdout to {@code stdout} (null: a pipe nobody reads). */
    private Process agent(Path dir, Path stdout, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("agent.err").toFile());
        if (stdout != null) pb.redirectOutput(stdout.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("TASKSCOPE_") && !k.equals("TASKSCOPE_TEST_ROOT"));
        pb.environment().put("TASKSCOPE_SOCKET", dir.resolve("agent.sock").toString());
        pb.environment().put("TASKSCOPE_COMMAND", WebApp.commandPattern());
        pb.environment().put("TASKSCOPE_MODE", "syscall"); // these tests are about syscall events under pressure
        pb.environment().putAll(env);
        Process p = pb.start();
        agents.add(p);
        return p;
    }

    /** Waits until the agent answers and traces {@code pid}. */
    private static JsonNode awaitTracing(Path dir, Process agent, long pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) {
                throw new AssertionError("agent exited " + agent.exitValue() + ": " + Files.readString(dir.resolve("agent.err")));
            }
            var c = ControlClient.connect(dir.resolve("agent.sock"), 500);
            if (c.isPresent()) {
                try (var client = c.get()) {
                    JsonNode ps = client.request(ControlClient.command("ps"), 2000);
                    for (JsonNode t : ps.get("tracees")) if (t.get("pid").asLong() == pid) return ps;
                } catch (RuntimeException e) {
                    // not ready
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("agent did not trace " + pid + ": " + Files.readString(dir.resolve("agent.err")));
    }

    private static int health(Path dir, StringWriter out, StringWriter err) {
        return Main.run(new String[] {"health", "--socket", dir.resolve("agent.sock").toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static void assertRunsUntraced(WebApp app) throws Exception {
        long[] before = app.progress();
        Thread.sleep(1000);
        long[] after = app.progress();
        assertTrue(app.isAlive());
        assertEquals(0, CPrograms.tracerPid(app.pid()), "tracer gone");
        char state = CPrograms.state(app.pid());
        assertTrue(state == 'S' || state == 'R', "tracee left in state " + state);
        assertTrue(after[0] > before[0], "the app keeps running: " + before[0] + " -> " + after[0]);
    }

    @Test
    void anUnusableSocketIsOneLineAndExit1(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("not-a-socket"), "somebody's file\n");
        for (String socket : new String[] {dir.resolve("not-a-socket").toString(), "/proc/taskscope-test/agent.sock",
                dir.resolve("x".repeat(120)).toString()}) {
            Process p = agent(dir, dir.resolve("agent.out"), Map.of("TASKSCOPE_SOCKET", socket));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), socket);
            String err = Files.readString(dir.resolve("agent.err"));
            assertEquals(1, p.exitValue(), err);
            assertEquals(1, err.strip().lines().count(), socket + ": " + err);
            assertTrue(err.startsWith("taskscope: ") && !err.contains("Exception"), err);
        }
    }

    @Test
    void psShowsEachTraceesModeAsTheAgentSaysIt(@TempDir Path dir) throws Exception {
        // a selected program that runs a shell every round: itself in lifecycle mode, the shell escalated
        ProcessHandle spawner = WebApp.isolated(dir, "spawner", "100", "/bin/sh", "-c", "\"sleep 30\"");
        Process agent = agent(dir, dir.resolve("agent.out"),
                Map.of("TASKSCOPE_COMMAND", java.util.regex.Pattern.quote(CPrograms.binary("spawner").toString())));
        awaitTracing(dir, agent, spawner.pid());
        long shell = -1;
        // the child forked before the attach is not traced: end it, so that the next one is forked under the agent
        spawner.children().forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (shell < 0 && System.nanoTime() < deadline) {
            for (JsonNode t : awaitTracing(dir, agent, spawner.pid()).get("tracees")) {
                if (t.path("escalated").asBoolean()) shell = t.get("pid").asLong();
            }
            Thread.sleep(100);
        }
        assertTrue(shell > 0, "an escalated child appears: " + Files.readString(dir.resolve("agent.err")));
        long sh = shell;
        String sock = dir.resolve("agent.sock").toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.run(new String[] {"ps", "--socket", sock, "-o", "pid,traced", "-p", spawner.pid() + "," + shell},
                new PrintWriter(out, true), new PrintWriter(err, true)), err.toString());
        List<String> rows = out.toString().lines().toList();
        assertEquals(List.of("PID", "TRACED"), List.of(rows.get(0).trim().split(" +")), out.toString());
        // the spawner's column is what the agent says of it (lifecycle by default; syscall while a switch for its
        // escalated child is under way is the agent's business, not ps's)
        JsonNode reply = awaitTracing(dir, agent, spawner.pid());
        String mode = "";
        for (JsonNode t : reply.get("tracees")) if (t.get("pid").asLong() == spawner.pid()) mode = PsCommand.traced(t);
        assertTrue(mode.equals("lifecycle") || mode.equals("syscall"), reply.toString());
        assertTrue(rows.stream().anyMatch(r -> r.trim().matches(spawner.pid() + " (lifecycle|syscall)")), out.toString() + reply);
        assertTrue(rows.stream().anyMatch(r -> r.trim().equals(sh + " syscall*")), out.toString());

        StringWriter json = new StringWriter();
        assertEquals(0, Main.run(new String[] {"ps", "--socket", sock, "--json", "-p", Long.toString(shell)},
                new PrintWriter(json, true), new PrintWriter(new StringWriter(), true)));
        JsonNode p = JSON.readTree(json.toString()).get("processes").get(0);
        assertEquals("syscall", p.path("mode").asText(), p.toString());
        assertTrue(p.path("escalated").asBoolean(), p.toString());
        assertTrue(p.path("reason").asText().startsWith("escalated: shell or interpreter"), p.toString());
        assertTrue(p.path("tracedByAgent").asBoolean(), p.toString());
        ProcessHandle.of(sh).ifPresent(ProcessHandle::destroyForcibly); // the spawner's child, not ours to wait for
    }

    @Test
    void checkRejectsWhatAStartWouldReject(@TempDir Path dir) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "agent", "--check");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TASKSCOPE_FILTER", "trace=bogus");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("invalid system call 'bogus'") && !out.contains("configuration ok"), out);
    }

    @Test
    void sigtermDetachesFlushesWritesFinalMetricsAndExitsZero(@TempDir Path dir) throws Exception {
        WebApp app = WebApp.start(dir, 20_000, 10);
        Path out = dir.resolve("agent.out");
        Process agent = agent(dir, out, Map.of());
        awaitTracing(dir, agent, app.pid());
        StringWriter hout = new StringWriter();
        StringWriter herr = new StringWriter();
        assertEquals(0, health(dir, hout, herr), herr.toString());
        assertTrue(hout.toString().startsWith("ok: agent pid " + agent.pid()), hout.toString());
        // ps asks the running agent what it traces.
        StringWriter psOut = new StringWriter();
        assertEquals(0, Main.run(new String[] {"ps", "--socket", dir.resolve("agent.sock").toString(), "-p", Long.toString(app.pid())},
                new PrintWriter(psOut, true), new PrintWriter(new StringWriter(), true)));
        assertTrue(psOut.toString().lines().findFirst().orElse("").contains(" TRACED "), psOut.toString());
        assertTrue(psOut.toString().lines().skip(1).findFirst().orElse("").matches(".* (lifecycle|syscall\\*?) .*"), psOut.toString());

        long t0 = System.nanoTime();
        agent.destroy(); // SIGTERM, as ECS sends it
        assertTrue(agent.waitFor(5, TimeUnit.SECONDS), "agent exits after SIGTERM");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(0, agent.exitValue(), Files.readString(dir.resolve("agent.err")));
        assertTrue(ms < 3000, "SIGTERM to exit took " + ms + " ms");
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.size() > 2, "events were written");
        JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
        assertEquals("metrics", last.path("type").asText(), "the final line is a metrics line: " + last);
        // the final metrics are a line per container; other containers of this machine may have lines too (a
        // neighbour's tracer seen in TracerPid raises alerts): the traced app's line counts its calls
        List<JsonNode> finalMetrics = new java.util.ArrayList<>();
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonNode n = JSON.readTree(lines.get(i));
            if (!"metrics".equals(n.path("type").asText())) break;
            finalMetrics.add(n);
        }
        assertTrue(finalMetrics.stream().anyMatch(m -> m.path("SyscallsTraced").asLong() > 0), finalMetrics.toString());
        for (String l : lines) JSON.readTree(l); // every line is one JSON object
        assertTrue(Files.readString(dir.resolve("agent.err")).contains("stopped: detached in"));
        assertRunsUntraced(app);
        assertTrue(!Files.exists(dir.resolve("agent.sock")), "socket removed");
    }

    @Test
    void sigkillLeavesNoTraceeStoppedAndTheAppRunsOn(@TempDir Path dir) throws Exception {
        WebApp app = WebApp.start(dir, 1_000, 50); // a busy loop: the kill lands mid-syscall
        Process agent = agent(dir, dir.resolve("agent.out"), Map.of());
        awaitTracing(dir, agent, app.pid());
        Thread.sleep(500);
        agent.destroyForcibly(); // SIGKILL
        assertTrue(agent.waitFor(5, TimeUnit.SECONDS));
        assertRunsUntraced(app);
        StringWriter hout = new StringWriter();
        StringWriter herr = new StringWriter();
        assertEquals(1, health(dir, hout, herr));
        assertEquals("taskscope: no agent is listening on " + dir.resolve("agent.sock")
                + " (a socket left by an agent that is gone); start it with 'taskscope agent' (or pass --socket / set TASKSCOPE_SOCKET)",
                herr.toString().strip());

        // a new agent replaces the stale socket and traces again
        Process again = agent(dir, dir.resolve("agent2.out"), Map.of());
        awaitTracing(dir, again, app.pid());
    }

    @Test
    void aStdoutNobodyReadsCostsEventsNotTheTracedProcess(@TempDir Path dir) throws Exception {
        WebApp app = WebApp.start(dir, 0, 2000); // as many syscalls as it can
        Process agent = agent(dir, null, Map.of("TASKSCOPE_QUEUE", "1024", "TASKSCOPE_DEFAULT_RULES", "false"));
        awaitTracing(dir, agent, app.pid());
        long[] start = app.progress();
        Thread.sleep(4000); // the 64 KiB pipe is full after a few hundred events
        long[] end = app.progress();
        assertTrue(end[0] - start[0] > 2000, "the traced loop kept going: " + start[0] + " -> " + end[0]);
        long worst = app.reports().stream().skip(1).mapToLong(r -> r[1]).max().orElse(0);
        assertTrue(worst < 1_000_000, "one iteration took " + worst + " us while stdout was blocked");
        JsonNode h;
        try (var c = ControlClient.connect(dir.resolve("agent.sock"), 1000).orElseThrow()) {
            h = c.request(ControlClient.command("health"), 2000);
        }
        assertTrue(h.path("dropped").asLong() > 1000, "drops counted: " + h);
        assertTrue(h.path("tracerAlive").asBoolean());
        // and it still stops on SIGTERM, giving up on the output it cannot write
        agent.destroy();
        assertTrue(agent.waitFor(5, TimeUnit.SECONDS), "exits despite a blocked stdout");
        assertEquals(0, agent.exitValue());
        assertRunsUntraced(app);
    }
}
