package io.taskscope.cli.commands;

import static io.taskscope.cli.CliRun.run;
import static io.taskscope.testing.HostileProcess.hasRawControls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.cli.CliRun.Result;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.HostileProcess;
import io.taskscope.testing.HostileRoot;
import io.taskscope.text.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every output with hostile names (issue 12, items 1 and 2): a real neighbour whose comm, container name, argv and
 * environment hold terminal escapes, C1 controls, DEL and bytes that are not UTF-8, and a real hostile root with
 * such file names. Nothing reaches stdout or stderr raw; nothing is dropped or merged.
 */
class HostileNamesTest {
    static HostileProcess hostile;
    static HostileRoot root;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        hostile = HostileProcess.start();
        root = HostileRoot.start();
        // x\376, x\377, an escape sequence, and a link whose (absolute, outside) target holds one.
        Process p = new ProcessBuilder("sh", "-c", "cd \"$0/tmp\" && : > \"$(printf 'x\\376')\" && printf fe > \"$(printf 'x\\376')\" "
                + "&& printf ff > \"$(printf 'x\\377')\" && : > \"$(printf '\\033[2Jevil')\" "
                + "&& ln -s \"$(printf '/nowhere\\033]0;PWN\\007')\" hostile-link", root.root.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @AfterAll
    static void stop() throws Exception {
        if (hostile != null) hostile.close();
        if (root != null) root.close();
    }

    static void assertClean(Result r) {
        assertFalse(hasRawControls(r.out()), "raw controls on stdout: " + r.out());
        assertFalse(hasRawControls(r.err()), "raw controls on stderr: " + r.err());
    }

    static JsonNode processNode(JsonNode ps, int pid) {
        for (JsonNode p : ps.path("processes")) if (p.path("pid").asInt() == pid) return p;
        throw new AssertionError("no pid " + pid + " in " + ps);
    }

    @Test
    void psTextEscapesCommArgvAndContainer() {
        Result r = run("ps", "-o", "pid,container,comm,args");
        assertEquals(0, r.code(), r.err());
        assertClean(r);
        String line = r.out().lines().filter(l -> l.strip().startsWith(hostile.pid + " ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(line.contains(HostileProcess.COMM_ESCAPED), line);
        assertTrue(line.endsWith(hostile.binary + " " + HostileProcess.ARGS_ESCAPED), line);
    }

    @Test
    void psJsonEscapesC1AndDelAndKeepsRawBytes() throws Exception {
        Result r = run("ps", "--json");
        assertEquals(0, r.code(), r.err());
        assertClean(r);
        assertTrue(r.out().contains("x\\udcff") && r.out().contains("\\u0085nel") && r.out().contains("\\u007fdel"), r.out());
        JsonNode p = processNode(JSON.readTree(r.out()), hostile.pid);
        assertEquals(HostileProcess.COMM, p.path("comm").asText());
        List<String> argv = new ArrayList<>();
        p.path("cmdline").forEach(a -> argv.add(a.asText()));
        assertEquals(HostileProcess.ARGS, argv.subList(1, argv.size()), p.toString());
    }

    @Test
    void errorsNameHostileContainersEscapedAndTheEscapedNameSelectsIt() {
        Result r = run("ps", "--container", "nosuch");
        assertEquals(2, r.code(), r.err());
        assertClean(r);
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(HostileProcess.COMM_ESCAPED), r.err());
        Result byName = run("ps", "--container", HostileProcess.COMM_ESCAPED, "-o", "pid");
        assertEquals(0, byName.code(), byName.err());
        assertTrue(byName.out().lines().anyMatch(l -> l.strip().equals(Integer.toString(hostile.pid))), byName.out());
    }

    @Test
    void capsAndNsTextAndJson() throws Exception {
        for (String[] args : new String[][] {{"caps", "-p", Integer.toString(hostile.pid)}, {"caps", "--json", "-p", Integer.toString(hostile.pid)},
                {"ns"}, {"ns", "--json"}}) {
            Result r = run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertClean(r);
            if (args.length > 1 && args[1].equals("--json")) JSON.readTree(r.out());
            else assertTrue(r.out().contains(HostileProcess.COMM_ESCAPED), String.join(" ", args) + ": " + r.out());
        }
    }

    @Test
    void inspectAndEnvTextAndJson() throws Exception {
        String pid = Integer.toString(hostile.pid);
        Result text = run("inspect", pid);
        assertEquals(0, text.code(), text.err());
        assertClean(text);
        assertTrue(text.out().contains(HostileProcess.COMM_ESCAPED) && text.out().contains("x\\xff"), text.out());
        Result json = run("inspect", "--json", pid);
        assertClean(json);
        assertTrue(json.out().contains("x\\udcff"), json.out());
        Result env = run("env", pid);
        assertEquals(0, env.code(), env.err());
        assertClean(env);
        assertTrue(env.out().contains("\nEVIL=x\\xff\\x1b[2J\n"), env.out());
        Result envJson = run("env", "--json", pid);
        assertClean(envJson);
        boolean found = false;
        for (JsonNode v : JSON.readTree(envJson.out()).path("variables")) {
            found |= v.path("name").asText().equals("EVIL") && v.path("value").asText().equals(HostileProcess.EVIL_VALUE);
        }
        assertTrue(found, envJson.out());
    }

    @Test
    void doctorEscapesCheckNames() throws Exception {
        Result r = run("doctor");
        assertClean(r);
        assertTrue(r.out().contains("root:" + HostileProcess.COMM_ESCAPED), r.out());
        Result json = run("doctor", "--json");
        assertClean(json);
        JSON.readTree(json.out());
    }

    @Test
    void traceOfABusyTargetNamesItsTracerEscaped() {
        Result r = run("trace", "-p", Integer.toString(hostile.tracedChild));
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertClean(r);
        assertTrue(r.err().contains("already traced") && r.err().contains(HostileProcess.COMM_ESCAPED), r.err());
    }

    @Test
    void execEventsKeepAnArgumentThatIsNotUtf8() throws Exception {
        ProcessHandle target = CPrograms.start("hostile", "exec-later", "1500");
        Result r = run("trace", "-p", Long.toString(target.pid()), "--json", "-e", "trace=none");
        assertClean(r);
        JsonNode exec = null;
        for (String line : r.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            if (n.path("type").asText().equals("process") && n.path("kind").asText().equals("exec")) exec = n;
        }
        assertTrue(exec != null, r.out() + r.err());
        List<String> argv = new ArrayList<>();
        exec.path("argv").forEach(a -> argv.add(a.asText()));
        assertEquals(List.of("sh", "-c", "true", Bytes.decode(new byte[] {'x', (byte) 0xff})), argv, r.out());
        assertTrue(r.out().contains("\"x\\udcff\""), r.out());
    }

    @Test
    void fsListingsKeepNamesThatAreNotUtf8DistinctAndNameableBack() throws Exception {
        String t = Integer.toString(root.pid);
        Result ls = run("fs", "ls", t + ":/tmp");
        assertEquals(0, ls.code(), ls.err());
        assertClean(ls);
        assertTrue(ls.out().contains(" x\\xfe\n") && ls.out().contains(" x\\xff\n") && ls.out().contains(" \\x1b[2Jevil\n"), ls.out());
        assertTrue(ls.out().contains("hostile-link -> /nowhere\\x1b]0;PWN\\x07"), ls.out());
        Result lsJson = run("fs", "ls", "--json", t + ":/tmp");
        assertClean(lsJson);
        assertTrue(lsJson.out().contains("x\\udcfe") && lsJson.out().contains("x\\udcff"), lsJson.out());
        Result find = run("fs", "find", t + ":/tmp");
        assertClean(find);
        assertTrue(find.out().contains("/tmp/x\\xfe\n") && find.out().contains("/tmp/x\\xff\n"), find.out());
        Result findJson = run("fs", "find", "--json", t + ":/tmp");
        assertClean(findJson);
        // Named back as printed: each is its own file.
        Result fe = run("fs", "cat", t + ":/tmp/x\\xfe");
        Result ff = run("fs", "cat", t + ":/tmp/x\\xff");
        assertEquals("fe", fe.out(), fe.err());
        assertEquals("ff", ff.out(), ff.err());
        Result hash = run("fs", "hash", t + ":/tmp/x\\xff");
        assertEquals(0, hash.code(), hash.err());
        assertTrue(hash.out().endsWith("  /tmp/x\\xff\n"), hash.out());
        Result stat = run("fs", "stat", t + ":/tmp/\\x1b[2Jevil");
        assertEquals(0, stat.code(), stat.err());
        assertClean(stat);
        // A refusal quotes the link's target escaped, on one line.
        Result refused = run("fs", "cat", t + ":/tmp/hostile-link");
        assertEquals(1, refused.code(), refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertClean(refused);
    }

    @Test
    void snapshotAndDiffTellTheTwoNamesApart() throws Exception {
        String t = Integer.toString(root.pid);
        Path base = Files.createTempFile("taskscope-hostile-snap", ".json");
        try {
            Files.delete(base);
            Process p = new ProcessBuilder("sh", "-c", "rm -f \"$0/tmp/$(printf 'x\\376')\" \"$0/tmp/$(printf 'x\\377')\"", root.root.toString()).start();
            assertEquals(0, p.waitFor());
            Result snap = run("fs", "snapshot", "-o", base.toString(), t + ":/tmp");
            assertEquals(0, snap.code(), snap.err());
            p = new ProcessBuilder("sh", "-c", "printf fe > \"$0/tmp/$(printf 'x\\376')\" && printf ff > \"$0/tmp/$(printf 'x\\377')\"",
                    root.root.toString()).start();
            assertEquals(0, p.waitFor());
            Result diff = run("fs", "diff", "--against", base.toString(), t + ":/tmp");
            assertClean(diff);
            List<String> added = diff.out().lines().filter(l -> l.startsWith("+ added")).toList();
            assertEquals(2, added.size(), diff.out());
            assertNotEquals(added.get(0), added.get(1));
            assertTrue(diff.out().contains("/tmp/x\\xfe ") && diff.out().contains("/tmp/x\\xff "), diff.out());
            Result json = run("fs", "diff", "--json", "--against", base.toString(), t + ":/tmp");
            assertClean(json);
            assertTrue(json.out().contains("x\\udcfe") && json.out().contains("x\\udcff"), json.out());
        } finally {
            Files.deleteIfExists(base);
        }
    }
}
