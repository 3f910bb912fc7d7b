package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.lab.Lab.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end: the demo task runs in the runc lab (images/lab/lab.sh) and the seed's scenario is checked from
 * inside the monitor container, with the shaded jar the build just made: taskscope ps shows pause as PID 1,
 * nginx as 101 and php-fpm's master as root with its workers as 82; a trace of the workers during a request
 * for /hoge.php shows the failing stat of /var/www/html/hoge.php; /test.php prints $_SERVER; the app's
 * document root is readable through /proc/PID/root. The lab is always torn down, and down leaves nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabIT {
    static final ObjectMapper JSON = Lab.JSON;
    final Lab lab = new Lab("it");

    ProcessBuilder lab(String... args) {
        return lab.command(args);
    }

    Result run(String... args) throws IOException, InterruptedException {
        return lab.run(args);
    }

    Result monitor(String... command) throws IOException, InterruptedException {
        return lab.monitor(command);
    }

    @BeforeAll
    void up() throws Exception {
        lab.up();
    }

    @AfterAll
    void down() throws Exception {
        lab.down();
    }

    List<JsonNode> processes() throws Exception {
        return lab.processes();
    }

    static List<JsonNode> of(List<JsonNode> ps, String container, int uid, String commandPrefix) {
        return ps.stream().filter(p -> p.path("container").asText().equals(container))
                .filter(p -> p.path("uid").asInt() == uid)
                .filter(p -> p.path("command").asText().startsWith(commandPrefix)).toList();
    }

    @Test
    void psShowsTheTaskAsOnFargate() throws Exception {
        List<JsonNode> ps = processes();
        JsonNode first = ps.stream().filter(p -> p.path("pid").asInt() == 1).findFirst().orElseThrow();
        assertEquals("/pause", first.path("command").asText(), "PID 1 of the task is pause");
        assertEquals(1, of(ps, "app", 0, "php-fpm: master process").size(), "php-fpm's master runs as root: " + ps);
        List<JsonNode> workers = of(ps, "app", 82, "php-fpm: pool www");
        assertEquals(2, workers.size(), "two pool workers as uid 82: " + ps);
        assertEquals("www-data", workers.get(0).path("user").asText(), "user names from the app's own /etc/passwd");
        assertEquals(1, of(ps, "web", 101, "nginx: master process nginx -g daemon off;").size(), "nginx as 101: " + ps);
        assertTrue(of(ps, "web", 101, "nginx: worker process").size() >= 1, ps.toString());
        assertEquals(1, of(ps, "monitor", 0, "sleep infinity").size(), ps.toString());
    }

    @Test
    void testPhpPrintsServerThroughNginxAndPhpFpm() throws Exception {
        Result r = run("curl", "/test.php");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("[SCRIPT_FILENAME] => /var/www/html/test.php"), r.out());
        assertTrue(r.out().contains("[SERVER_SOFTWARE] => nginx/"), r.out());
        assertTrue(r.out().contains("[DB_PASSWORD] => "), "clear_env = no: the container's environment shows: " + r.out());
    }

    @Test
    void traceShowsTheFailingStatOfAMissingScript() throws Exception {
        List<String> workers = of(processes(), "app", 82, "php-fpm: pool www").stream()
                .map(p -> p.path("pid").asText()).toList();
        assertEquals(2, workers.size());
        List<String> cmd = new ArrayList<>(List.of("exec", "monitor", "sh", "-c",
                "echo $$ >/tmp/it-trace.pid; exec taskscope trace \"$@\"", "trace"));
        workers.forEach(w -> cmd.addAll(List.of("-p", w)));
        cmd.addAll(List.of("-e", "trace=%file"));
        Process trace = lab(cmd.toArray(String[]::new)).start();
        // stdin stays open while the trace should run: its end is one of the trace's stop conditions.
        List<String> lines = new CopyOnWriteArrayList<>();  // read while the reader thread appends
        Thread reader = readLines(trace, lines);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lines.stream().filter(l -> l.contains("attached")).count() < workers.size()) {
                assertTrue(trace.isAlive(), "trace exited: " + lines);
                assertTrue(System.nanoTime() < deadline, "trace did not attach in 60 s: " + lines);
                Thread.sleep(100);
            }
            // nginx hands each request to one worker; either way a traced one answers.
            for (int i = 0; i < workers.size(); i++) {
                Result r = run("curl", "/hoge.php");
                assertTrue(r.out().contains("File not found."), r.out());
            }
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lines.stream().noneMatch(LabIT::failingStatOfHoge) && System.nanoTime() < deadline) Thread.sleep(100);
        } finally {
            // End of input (stdin reaches it through runc exec) stops the trace and detaches; SIGINT as a fallback.
            trace.getOutputStream().close();
            if (!trace.waitFor(10, TimeUnit.SECONDS)) monitor("sh", "-c", "kill -INT \"$(cat /tmp/it-trace.pid)\"");
            if (!trace.waitFor(30, TimeUnit.SECONDS)) trace.destroyForcibly();
            reader.join(10_000);
        }
        assertTrue(lines.stream().anyMatch(LabIT::failingStatOfHoge), "no failing stat of hoge.php in: " + lines);
        for (JsonNode p : of(processes(), "app", 82, "php-fpm: pool www")) {
            assertFalse(p.path("stat").asText().matches("[tT].*"), "a worker left stopped: " + p);
        }
    }

    /** A started thread that appends the trace's output lines to {@code lines} until it ends. */
    static Thread readLines(Process trace, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(trace.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                lines.add("(reading the trace: " + e + ")");
            }
        });
        reader.start();
        return reader;
    }

    /** strace's line: newfstatat(AT_FDCWD, "/var/www/html/hoge.php", ..., AT_SYMLINK_NOFOLLOW) = -1 ENOENT (...). */
    static boolean failingStatOfHoge(String line) {
        return line.matches(".*\\b(lstat|newfstatat|stat|statx)\\(.*\"/var/www/html/hoge\\.php\".*= -1 ENOENT.*");
    }

    @Test
    void theAppsDocumentRootIsReadableFromTheMonitor() throws Exception {
        Result r = monitor("taskscope", "fs", "ls", "app:/var/www/html");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("test.php"), r.out());
    }

    /**
     * The README's tour cannot drift (issue 14): its commands, replayed here as images/lab/demo.sh runs them, still
     * print output of the README's shape (ReadmeTour: same commands, ps header, containers and programs, same kinds
     * of lines once PIDs, times, sizes and counts are normalised). On failure, run scripts/readme-tour.sh. It runs in
     * this class to reuse its lab (about 15 s, no second lab).
     */
    @Test
    void theReadmesTourIsWhatTheCommandsPrint() throws Exception {
        List<ReadmeTour.Step> readme = ReadmeTour.ofReadme(Lab.ROOT.resolve("README.md"));
        List<ReadmeTour.Step> tour = new ArrayList<>();
        tour.add(new ReadmeTour.Step("taskscope ps", monitor("taskscope", "ps").out().lines().toList()));

        List<JsonNode> ps = processes();
        List<String> workers = of(ps, "app", 82, "php-fpm: pool www").stream().map(p -> p.path("pid").asText()).toList();
        long appProcesses = ps.stream().filter(p -> p.path("container").asText().equals("app")).count();
        String trace = "taskscope trace --container app -e trace=%file";
        Process tracer = lab("exec", "monitor", "sh", "-c", "echo $$ >/tmp/tour-trace.pid; exec taskscope trace \"$@\"",
                "trace", "--container", "app", "-e", "trace=%file").start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = readLines(tracer, lines);
        List<String> answers = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lines.stream().filter(l -> l.contains("attached")).count() < appProcesses) {
                assertTrue(tracer.isAlive(), "trace exited: " + lines);
                assertTrue(System.nanoTime() < deadline, "trace did not attach in 60 s: " + lines);
                Thread.sleep(100);
            }
            for (int i = 0; i < workers.size(); i++) {   // demo.sh: the first and the last line of each answer
                List<String> a = run("curl", "/hoge.php", "-i").out().lines().toList();
                answers.add(a.get(0));
                answers.add(a.get(a.size() - 1));
            }
            Thread.sleep(500);
        } finally {
            monitor("sh", "-c", "kill -INT \"$(cat /tmp/tour-trace.pid)\"");
            if (!tracer.waitFor(30, TimeUnit.SECONDS)) tracer.destroyForcibly();
            reader.join(10_000);
        }
        tour.add(new ReadmeTour.Step(trace + "   # in the background", List.of()));
        tour.add(new ReadmeTour.Step("curl -i http://127.0.0.1:8080/hoge.php", answers));
        tour.add(new ReadmeTour.Step("(the trace's output)", lines.stream().map(ReadmeTour::cut).toList()));
        tour.add(new ReadmeTour.Step("taskscope fs ls app:/var/www/html",
                monitor("taskscope", "fs", "ls", "app:/var/www/html").out().lines().toList()));
        tour.add(new ReadmeTour.Step("taskscope env " + workers.get(0),
                monitor("taskscope", "env", workers.get(0)).out().lines().map(ReadmeTour::cut).toList()));

        String difference = ReadmeTour.difference(readme, tour);
        assertNull(difference, difference);
    }

    /** runc's default capabilities plus SYS_PTRACE, under a seccomp filter: the monitor of task-definition.json. */
    @Test
    void theMonitorHasOnlyRuncsCapabilitiesAndSysPtrace() throws Exception {
        Result r = monitor("grep", "-E", "^(CapEff|Seccomp):", "/proc/self/status");
        assertEquals(0, r.code(), r.out());
        // KILL (5), NET_BIND_SERVICE (10), SYS_PTRACE (19), AUDIT_WRITE (29)
        assertTrue(r.out().contains("CapEff:\t0000000020080420"), r.out());
        assertTrue(r.out().contains("Seccomp:\t2"), r.out());
    }

    List<String> monitorFile(String path) throws Exception {
        return lab.monitorFile(path);
    }

    /** php-fpm in syscall mode throughout (selected, no budget): its file calls are what this test reads. */
    void startAgent() throws Exception {
        Result r = monitor("sh", "-c", "TASKSCOPE_CONTAINERS=app TASKSCOPE_SYSCALL_CONTAINERS=app TASKSCOPE_BUDGET=none "
                + "TASKSCOPE_WATCH=app:/var/www/html TASKSCOPE_METRICS_INTERVAL=5s "
                + "taskscope agent >/tmp/agent.out 2>/tmp/agent.err </dev/null & echo $! >/tmp/agent.pid");
        assertEquals(0, r.code(), r.out());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (monitor("taskscope", "health").code() != 0) {
            assertTrue(System.nanoTime() < deadline, "agent not healthy in 60 s: " + monitorFile("/tmp/agent.err"));
            Thread.sleep(500);
        }
    }

    /**
     * The agent as the monitor's main process would run it (issue 6), with php-fpm selected for continuous syscall
     * tracing (the shipped default, lifecycle mode, is AgentLabIT's): php-fpm's file events on stdout during
     * requests, the web-shell alert, no request lost and no process left stopped when the agent is SIGKILLed
     * in the middle of a request loop, and a clean detach with a final metrics line on SIGTERM.
     */
    @Test
    void theAgentStreamsEventsAlertsAndNeverStallsTheTask() throws Exception {
        startAgent();
        try {
            Result health = monitor("taskscope", "health", "--json");
            assertTrue(JSON.readTree(health.out().substring(health.out().indexOf('{'))).path("tracees").asInt() >= 3,
                    "php-fpm's master and workers traced: " + health.out());
            for (int i = 0; i < 3; i++) assertTrue(run("curl", "/hoge.php").out().contains("File not found."));
            // the web shell: a neighbour writes into the document root (seen by the tracer or by inotify)
            assertEquals(0, run("exec", "app", "sh", "-c", "echo '<?php system($_GET[c]);' >/var/www/html/shell.php").code());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<String> out = List.of();
            while (System.nanoTime() < deadline) {
                out = monitorFile("/tmp/agent.out");
                if (out.stream().anyMatch(l -> l.contains("\"rule\":\"write-under-web-root\""))
                        && out.stream().anyMatch(l -> l.contains("\"path\":\"/var/www/html/hoge.php\"") && l.contains("\"errno\":\"ENOENT\""))) {
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(out.stream().anyMatch(l -> l.contains("\"path\":\"/var/www/html/hoge.php\"") && l.contains("\"errno\":\"ENOENT\"")
                    && l.contains("\"container\":\"app\"")), "php-fpm's failing stat of hoge.php: " + out.subList(0, Math.min(20, out.size())));
            assertTrue(out.stream().anyMatch(l -> l.contains("\"rule\":\"write-under-web-root\"") && l.contains("shell.php")),
                    "the web-shell alert");
            for (String l : out) JSON.readTree(l); // one JSON object per line
            // every event names its task (the lab's metadata endpoint serves the ECS task fields)
            JsonNode first = JSON.readTree(out.stream().filter(l -> l.startsWith("{\"v\"")).findFirst().orElseThrow());
            assertEquals("taskscope-demo", first.at("/task/family").asText(), first.toString());
            assertTrue(first.at("/task/arn").asText().startsWith("arn:aws:ecs:"), first.toString());
            assertTrue(first.at("/task/availabilityZone").asText().startsWith("lab-"), first.toString());

            // SIGKILL in the middle of a request loop: every request is answered, nothing stays stopped
            List<String> codes = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread loop = new Thread(() -> {
                try {
                    for (int i = 0; i < 30; i++) codes.add(run("curl", "/test.php", "-o", "/dev/null", "-w", "%{http_code}").out().strip());
                } catch (Exception e) {
                    codes.add(e.toString());
                }
            });
            loop.start();
            Thread.sleep(1500);
            assertEquals(0, monitor("sh", "-c", "kill -KILL \"$(cat /tmp/agent.pid)\"").code());
            loop.join(120_000);
            assertEquals(30, codes.size(), codes.toString());
            assertTrue(codes.stream().allMatch("200"::equals), "every request answered: " + codes);
            for (JsonNode p : processes()) {
                assertFalse(p.path("stat").asText().matches("[tT].*"), "left stopped: " + p);
            }

            // a new agent replaces the dead one's socket; SIGTERM detaches it cleanly
            startAgent();
            assertEquals(0, monitor("sh", "-c", "kill -TERM \"$(cat /tmp/agent.pid)\"").code());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!String.join("\n", monitorFile("/tmp/agent.err")).contains("stopped: detached in")) {
                assertTrue(System.nanoTime() < deadline, "no clean stop: " + monitorFile("/tmp/agent.err"));
                Thread.sleep(200);
            }
            out = monitorFile("/tmp/agent.out");
            assertTrue(out.get(out.size() - 1).contains("\"type\":\"metrics\""), "final metrics line: " + out.get(out.size() - 1));
            for (JsonNode p : of(processes(), "app", 82, "php-fpm: pool www")) {
                Result st = monitor("grep", "TracerPid", "/proc/" + p.path("pid").asText() + "/status");
                assertTrue(st.out().contains("TracerPid:\t0"), "detached: " + st.out());
            }
        } finally {
            monitor("sh", "-c", "kill -KILL \"$(cat /tmp/agent.pid)\" 2>/dev/null; true");
            run("exec", "app", "rm", "-f", "/var/www/html/shell.php");
        }
    }
}
