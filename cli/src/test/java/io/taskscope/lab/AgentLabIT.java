package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.lab.Lab.Result;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent as task-definition.json ships it, on the lab task under load (issue 9): every process the task starts,
 * execs and ends is reported, none lost; a web shell is alerted at its exec, escalated to syscall mode and traced
 * from its first call; and a SIGKILL of the agent leaves every process running, untraced and unstopped, whatever
 * mode it was in; and every default rule raises its alert. One lab for the class; each test starts (and always
 * stops) its own agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentLabIT {
    /** Children of the churn test: half exec `sh -c true`, half exit without an exec. */
    static final int CHURN = 2000;

    final Lab lab = new Lab("ita");

    @BeforeAll
    void up() throws Exception {
        Lab.requirePrereqs();
        Prereq.requireCommand("wrk");
        Path churn = CPrograms.binary("churn");
        lab.up();
        // the app's own program: copied in before any agent runs, so no test sees the copy
        lab.write("app", "/root/churn", churn);
        assertEquals(0, lab.exec("app", "chmod", "755", "/root/churn").code());
        // what a web shell's payload does (open /etc/shadow, ptrace, a link in /tmp to a shell, a memfd exec):
        // where the app's user (www-data) can run it
        lab.write("app", "/home/www-data/falcotrigger", CPrograms.binary("falcotrigger"));
        assertEquals(0, lab.exec("app", "chmod", "755", "/home/www-data/falcotrigger").code());
    }

    @AfterAll
    void down() throws Exception {
        lab.down();
    }

    /** wrk from inside the task's network namespace, bounded by its duration; its report when it ends. */
    final class Wrk implements AutoCloseable {
        final Process process;
        final StringBuilder out = new StringBuilder();
        final Thread reader;

        Wrk(int connections, int seconds) throws Exception {
            process = new ProcessBuilder("nsenter", "--net=" + lab.netns(), "wrk", "-t1", "-c" + connections,
                    "-d" + seconds + "s", "http://127.0.0.1:8080/test.php").redirectErrorStream(true).start();
            process.getOutputStream().close();
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) {
                        synchronized (out) {
                            out.append(l).append('\n');
                        }
                    }
                } catch (IOException e) {
                    // destroyed
                }
            });
            reader.start();
        }

        /** Stops it as Ctrl-C does (wrk then reports what it did so far) and returns its report. */
        String stop() throws Exception {
            if (process.isAlive()) {
                new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "wrk did not end within 20 s of SIGINT");
            reader.join(5000);
            synchronized (out) {
                return out.toString();
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
            reader.join(5000);
        }
    }

    static boolean process(JsonNode e, String kind) {
        return "process".equals(e.path("type").asText()) && kind.equals(e.path("kind").asText());
    }

    static boolean syscall(JsonNode e) {
        return "syscall".equals(e.path("type").asText());
    }

    static String argv(JsonNode e) {
        List<String> a = new ArrayList<>();
        e.path("argv").forEach(x -> a.add(x.asText()));
        return String.join(" ", a);
    }

    static List<JsonNode> select(List<JsonNode> events, java.util.function.Predicate<JsonNode> p) {
        return events.stream().filter(p).toList();
    }

    /**
     * During a wrk load, a program in the app container forks {@link #CHURN} short-lived children, half of them
     * exec'ing `sh -c true`, half exiting without an exec: the agent reports every start, exec and exit.
     */
    @Test
    void everyStartExecAndExitIsReportedUnderLoad() throws Exception {
        String mark = "tschurn" + System.nanoTime();
        try (LabAgent agent = LabAgent.start(lab, "agent-churn"); Wrk load = new Wrk(4, 90)) {
            long t0 = System.nanoTime();
            Result r = lab.exec("app", "/root/churn", Integer.toString(CHURN), mark);
            assertEquals(0, r.code(), "churn: " + r.out());
            long spawnMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(load.process.isAlive(), "the load ran through the churn");
            Map<Integer, String> children = new HashMap<>();
            int spawner = -1;
            for (String line : r.out().lines().toList()) {
                String[] f = line.split(" ");
                if (f.length == 2 && f[0].equals("ready")) spawner = Integer.parseInt(f[1]);
                else if (f.length == 2 && f[0].matches("\\d+")) children.put(Integer.parseInt(f[0]), f[1]);
            }
            int sp = spawner;
            assertTrue(sp > 0 && children.size() == CHURN && r.out().contains("done"), "churn's output: " + r.out());
            // the spawner's own exit comes after every child's
            List<JsonNode> ev = agent.awaitEvent("exit of churn (PID " + sp + ")", 60,
                    e -> process(e, "exit") && e.path("pid").asInt() == sp);

            Set<Integer> execers = children.entrySet().stream().filter(c -> c.getValue().equals("exec"))
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            Set<Integer> started = new HashSet<>(), execed = new HashSet<>(), exited = new HashSet<>();
            Set<Integer> failed = new HashSet<>();
            Pattern marked = Pattern.compile("^sh -c true " + mark + "-(\\d+)$");
            for (JsonNode e : ev) {
                int pid = e.path("pid").asInt();
                if (!children.containsKey(pid)) continue;
                if (process(e, "start") && e.path("ppid").asInt() == sp) started.add(pid);
                if (process(e, "exec") && execers.contains(pid) && marked.matcher(argv(e)).matches()) execed.add(pid);
                if (process(e, "exit")) {
                    exited.add(pid);
                    if (e.path("exitCode").asInt(-1) != 0) failed.add(pid);
                }
            }
            String counts = "in " + spawnMillis + " ms under load (events complete "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after the start): starts " + started.size() + "/" + CHURN + ", execs "
                    + execed.size() + "/" + execers.size() + ", exits " + exited.size() + "/" + CHURN;
            assertEquals(CHURN, started.size(), counts + "; no start for " + sample(children.keySet(), started));
            assertEquals(execers.size(), execed.size(), counts + "; no exec for " + sample(execers, execed));
            assertEquals(CHURN, exited.size(), counts + "; no exit for " + sample(children.keySet(), exited));
            assertTrue(failed.isEmpty(), "exits with a status other than 0: " + sample(failed, Set.of()));
            assertTrue(select(ev, e -> "drop".equals(e.path("type").asText())).isEmpty(), "events dropped: "
                    + select(ev, e -> "drop".equals(e.path("type").asText())));
            System.out.println("AgentLabIT churn: " + counts);
        }
    }

    static String sample(Set<Integer> all, Set<Integer> seen) {
        List<Integer> missing = all.stream().filter(p -> !seen.contains(p)).sorted().toList();
        return missing.size() + " PIDs, e.g. " + missing.subList(0, Math.min(10, missing.size()));
    }

    static final String WEB_SHELL_COMMAND = "id; cat /etc/shadow; ls /tmp";

    /**
     * A web shell dropped into the document root by the app and requested through nginx: its shell raises the
     * shell alert at the exec, runs in syscall mode (escalated) from its first call, and its calls (the cat's
     * openat of /etc/shadow among them) stream with the same PIDs as its exec events.
     */
    @Test
    void aWebShellIsAlertedEscalatedAndTracedFromItsExec() throws Exception {
        Path php = Files.createTempFile("taskscope-shell", ".php");
        Files.writeString(php, "<?php system(\"sh -c '" + WEB_SHELL_COMMAND + "'\");\n");
        try (LabAgent agent = LabAgent.start(lab, "agent-webshell")) {
            lab.write("app", "/var/www/html/shell.php", php);
            Result r = lab.run("curl", "/shell.php");
            assertEquals(0, r.code(), r.out());
            assertTrue(r.out().contains("uid=82(www-data)"), "the web shell ran: " + r.out());

            List<JsonNode> ev = agent.awaitEvent("open of /etc/shadow", 30, e -> syscall(e)
                    && e.path("syscall").asText().matches("open|openat|openat2") && "/etc/shadow".equals(e.path("path").asText()));
            // the shell: every exec whose command line is the web shell's (system()'s sh -c, then the inner sh -c)
            List<JsonNode> shells = select(ev, e -> process(e, "exec") && argv(e).contains(WEB_SHELL_COMMAND));
            assertFalse(shells.isEmpty(), "no exec of the web shell's sh in the events");
            Set<Integer> shellPids = new HashSet<>();
            for (JsonNode s : shells) {
                assertEquals("app", s.path("container").asText(), s.toString());
                assertEquals("syscall", s.path("mode").asText(), "the shell's exec puts it in syscall mode: " + s);
                assertTrue(s.path("reason").asText().startsWith("escalated"), "escalated: " + s);
                shellPids.add(s.path("pid").asInt());
            }
            assertFalse(select(ev, e -> syscall(e) && shellPids.contains(e.path("pid").asInt())).isEmpty(),
                    "the shell's own calls stream with its PID " + shellPids);

            JsonNode cat = select(ev, e -> process(e, "exec") && argv(e).equals("cat /etc/shadow")).stream().findFirst()
                    .orElseThrow(() -> new AssertionError("no exec of cat /etc/shadow"));
            assertTrue(shellPids.contains(cat.path("ppid").asInt()), "cat is the shell's child: " + cat + " " + shellPids);
            assertEquals("syscall", cat.path("mode").asText(), "a shell's child inherits the escalation: " + cat);
            assertTrue(cat.path("reason").asText().startsWith("escalated"), cat.toString());
            int catPid = cat.path("pid").asInt();
            assertFalse(select(ev, e -> syscall(e) && e.path("pid").asInt() == catPid
                            && "/etc/shadow".equals(e.path("path").asText())).isEmpty(),
                    "the open of /etc/shadow carries cat's PID " + catPid);

            // the shell alert, raised at the exec of one of the shell's PIDs (rule names change; a shell is named)
            ev = agent.awaitEvent("the shell alert", 20, e -> shellAlert(e, shellPids));
            assertTrue(ev.stream().anyMatch(e -> shellAlert(e, shellPids)));
        } finally {
            lab.exec("app", "rm", "-f", "/var/www/html/shell.php");
            Files.deleteIfExists(php);
        }
    }

    /**
     * Every default rule raises its alert with the agent exactly as task-definition.json ships it (lifecycle mode,
     * escalation, the web root watched), from one web shell: its drop into the document root (inotify), its shell
     * (the exec), and what the escalated shell then does: cat /etc/shadow, a program run through a link in /tmp and
     * from a memfd, a ptrace call (all seen because the shell and its descendants are in syscall mode).
     */
    @Test
    void theAgentAsShippedRaisesEveryDefaultRule() throws Exception {
        Path php = Files.createTempFile("taskscope-payload", ".php");
        Files.writeString(php, "<?php system(\"sh -c 'cat /etc/shadow; /home/www-data/falcotrigger 0'\");\n");
        try (LabAgent agent = LabAgent.start(lab, "agent-rules")) {
            lab.write("app", "/var/www/html/payload.php", php);
            Result r = lab.run("curl", "/payload.php");
            assertEquals(0, r.code(), r.out());
            Map<String, JsonNode> alerts = new HashMap<>();
            for (String rule : List.of("write-under-web-root", "shell-in-container", "shadow-file-read", "exec-from-tmp",
                    "ptrace-by-neighbour")) {
                List<JsonNode> ev = agent.awaitEvent("the " + rule + " alert", 30, e -> alert(e, rule));
                alerts.put(rule, select(ev, e -> alert(e, rule)).get(0));
            }
            assertTrue(alerts.get("write-under-web-root").path("output").asText().contains("payload.php"),
                    alerts.get("write-under-web-root").toString());
            JsonNode shell = alerts.get("shell-in-container");
            assertEquals("app", shell.at("/output_fields/container.name").asText(), shell.toString());
            assertTrue(shell.at("/output_fields/proc.pname").asText().startsWith("php-fpm"), "the worker's shell: " + shell);
            assertTrue(alerts.get("shadow-file-read").path("output").asText().contains("file=/etc/shadow"),
                    alerts.get("shadow-file-read").toString());
            assertTrue(alerts.get("ptrace-by-neighbour").path("output").asText().contains("proc.name=falcotrigger"),
                    alerts.get("ptrace-by-neighbour").toString());
        } finally {
            lab.exec("app", "rm", "-f", "/var/www/html/payload.php");
            Files.deleteIfExists(php);
        }
    }

    static boolean alert(JsonNode e, String rule) {
        return "alert".equals(e.path("type").asText()) && rule.equals(e.path("rule").asText());
    }

    private static final Pattern PID = Pattern.compile("(?<![a-z])pid\\W{1,3}(\\d+)", Pattern.CASE_INSENSITIVE);

    /** An alert about a shell (not about the shell.php file) naming one of the shell's PIDs. */
    static boolean shellAlert(JsonNode e, Set<Integer> shellPids) {
        if (!"alert".equals(e.path("type").asText())) return false;
        String text = e.toString().replace("shell.php", "");
        if (!text.toLowerCase(java.util.Locale.ROOT).contains("shell")) return false;
        if (shellPids.contains(e.path("trigger").path("pid").asInt(-1))) return true;
        Matcher m = PID.matcher(text);
        while (m.find()) {
            if (shellPids.contains(Integer.parseInt(m.group(1)))) return true;
        }
        return false;
    }

    /**
     * SIGKILL of the agent while nginx is in lifecycle mode, php-fpm in syscall mode under a budget and a shell loop
     * escalated, all under load: the kernel detaches them all; none is left stopped and all of them run on.
     */
    @Test
    void killingTheAgentLeavesEveryModeRunning() throws Exception {
        Process loop = null;
        int loopPid = -1;
        try (LabAgent agent = LabAgent.start(lab, "agent-kill", "TASKSCOPE_SYSCALL_EXES=/usr/sbin/php-fpm*",
                "TASKSCOPE_BUDGET=5%"); Wrk load = new Wrk(4, 120)) {
            // at most 60 s: 1,200 rounds of a counter and a sleep, so nothing outlives the test for long
            loop = lab.command("exec", "app", "sh", "-c",
                    "echo $$; i=0; while [ $i -lt 1200 ]; do i=$((i+1)); echo $i >/tmp/alive; sleep 0.05; done").start();
            loop.getOutputStream().close();
            loopPid = Integer.parseInt(new BufferedReader(new InputStreamReader(loop.getInputStream(),
                    StandardCharsets.UTF_8)).readLine().strip());
            int lp = loopPid;
            agent.awaitEvent("the shell loop escalated", 30, e -> e.path("pid").asInt() == lp
                    && "process".equals(e.path("type").asText()) && "syscall".equals(e.path("mode").asText())
                    && e.path("reason").asText().startsWith("escalated"));
            agent.awaitEvent("the loop's calls", 30, e -> syscall(e) && e.path("pid").asInt() == lp);
            agent.awaitEvent("a budgeted php-fpm stream", 30, e -> syscall(e) && e.has("coverage")
                    && "app".equals(e.path("container").asText()) && e.path("comm").asText().startsWith("php-fpm"));
            for (long p : lab.hostPids("web")) assertNotEquals(0L, Procs.tracerPid(p), "nginx traced: " + Procs.describe(p));

            agent.signal("KILL");
            agent.awaitExit(10);
            long pause = lab.hostPid("pause");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            List<String> bad;
            do {
                bad = new ArrayList<>();
                for (long p : Procs.inPidNamespaceOf(pause)) {
                    if (Procs.tracerPid(p) != 0 || Procs.stopped(p)) bad.add(Procs.describe(p));
                }
                if (bad.isEmpty()) break;
                Thread.sleep(100);
            } while (System.nanoTime() < deadline);
            assertTrue(bad.isEmpty(), "traced or stopped after the agent's SIGKILL: " + bad);

            Path alive = lab.hostPath("app", "/tmp/alive");
            long before = Long.parseLong(Files.readString(alive).strip());
            Thread.sleep(1000);
            long after = Long.parseLong(Files.readString(alive).strip());
            assertTrue(after > before, "the escalated loop runs on: " + before + " then " + after);
            Result r = lab.run("curl", "/test.php", "-o", "/dev/null", "-w", "%{http_code}");
            assertEquals("200", r.out().strip(), "nginx and php-fpm answer: " + r.out());
            assertTrue(load.process.isAlive(), "wrk ran through the SIGKILL");
            String report = load.stop();
            assertTrue(report.contains("requests in") && !report.contains("Socket errors") && !report.contains("Non-2xx"),
                    "every request of the load answered: " + report);
        } finally {
            if (loopPid > 0) lab.exec("app", "kill", Integer.toString(loopPid));
            if (loop != null) loop.destroy();
        }
    }
}
