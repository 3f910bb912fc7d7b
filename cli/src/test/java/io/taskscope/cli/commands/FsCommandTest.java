package io.taskscope.cli.commands;

import static io.taskscope.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.cli.CliRun.Result;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.Main;
import io.taskscope.testing.HostileRoot;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FsCommandTest {
    static HostileRoot target;

    @BeforeAll
    static void start() throws Exception {
        target = HostileRoot.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (target != null) target.close();
    }

    @Test
    void lsShowsTheTargetsTreeWithLinksAsLinks() {
        Result r = run("fs", "ls", target.pid + ":/");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("lrwxrwxrwx") && l.endsWith("abs -> " + target.secret)), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("d") && l.endsWith(" etc")), r.out());
        Result up = run("fs", "ls", target.pid + ":/up/../..");
        assertTrue(up.out().contains("inside.txt"), "'..' stops at the target's root: " + up.out());
    }

    @Test
    void catReadsInsideAndRefusesEscapesInOneLine() {
        Result ok = run("fs", "cat", target.pid + ":/abs-inside");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(target.insideText, ok.out());
        for (String p : new String[] {"/abs", "/dotdot", "/magic"}) {
            Result r = run("fs", "cat", target.pid + ":" + p);
            assertEquals(1, r.code(), p);
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("escape refused"), r.err());
            assertFalse(r.out().contains("MONITOR-SECRET") || r.err().contains("MONITOR-SECRET"));
        }
    }

    @Test
    void watchStopsWhenItsTargetIsGone() throws Exception {
        ProcessHandle shortLived = io.taskscope.testing.CPrograms.startShell("exec sleep 3",
                java.nio.file.Files.createTempFile("taskscope-watch", ".out"));
        long t0 = System.nanoTime();
        Result r = run("fs", "watch", shortLived.pid() + ":/tmp");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("has exited; stopping"), r.err());
        assertTrue(ms < 8000, "stopped " + ms + " ms after start, for a process living 3 s (1 s was too short on a loaded CI machine)");
    }

    @Test
    void aBadGlobOrJsonSizeIsAUsageErrorNotACrash() {
        Result glob = run("fs", "find", target.pid + ":/", "--name", "[");
        assertEquals(2, glob.code(), glob.err());
        assertTrue(glob.err().startsWith("taskscope: --name '[' is not a glob"), glob.err());
        assertEquals(1, glob.err().strip().lines().count(), glob.err());
        Result big = run("fs", "cat", "--json", "--max-bytes", "3000000000", target.pid + ":/inside.txt");
        assertEquals(2, big.code(), big.err());
        assertTrue(big.err().contains("with --json"), big.err());
    }

    @Test
    void findHashStatAndJson() throws Exception {
        Result f = run("fs", "find", target.pid + ":/var", "--name", "*.php", "--type", "f");
        assertEquals("/var/www/html/index.php\n", f.out(), f.err());
        Result h = run("fs", "hash", target.pid + ":/var/www/html/index.php");
        assertTrue(h.out().matches("[0-9a-f]{64}  /var/www/html/index.php\n"), h.out());
        Result s = run("fs", "stat", "--json", target.pid + ":/inside.txt");
        JsonNode n = new ObjectMapper().readTree(s.out());
        assertEquals("FILE", n.get("type").asText());
        assertEquals(target.insideText.length(), n.get("size").asInt());
        assertEquals("root", n.get("owner").asText());
        Result l = run("fs", "ls", "--json", target.pid + ":/etc");
        assertEquals(2, new ObjectMapper().readTree(l.out()).size(), l.out());
    }

    @Test
    void badInputIsUsageAndGoneTargetsSaySo() {
        Result noColon = run("fs", "cat", "/etc/passwd");
        assertEquals(2, noColon.code());
        assertTrue(noColon.err().contains("TARGET:PATH"), noColon.err());
        Result gone = run("fs", "ls", "999999999:/");
        assertEquals(2, gone.code());
        assertTrue(gone.err().contains("no process with PID 999999999"), gone.err());
        Result notDir = run("fs", "find", target.pid + ":/inside.txt/x");
        assertEquals(1, notDir.code());
        assertTrue(notDir.err().contains("not a directory"), notDir.err());
    }

    @Test
    void snapshotThenDiffFindsADroppedWebShell(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path baseline = tmp.resolve("html.json");
        java.nio.file.Path html = target.root.resolve("var/www/html");
        Result snap = run("fs", "snapshot", target.pid + ":/var/www/html", "-o", baseline.toString());
        assertEquals(0, snap.code(), snap.err());
        Result same = run("fs", "diff", target.pid + ":/var/www/html", "--against", baseline.toString());
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().startsWith("no differences"), same.out());
        java.nio.file.Path shell = html.resolve("shell.php");
        java.nio.file.Path index = html.resolve("index.php");
        String original = java.nio.file.Files.readString(index);
        try {
            java.nio.file.Files.writeString(shell, "<?php system($_GET['c']);\n");
            java.nio.file.Files.writeString(index, original + "// tampered\n");
            Result d = run("fs", "diff", target.pid + ":/var/www/html", "--against", baseline.toString());
            assertEquals(ExitCode.FOUND.code(), d.code(), d.out() + d.err());
            assertTrue(d.out().contains("+ added    /var/www/html/shell.php  (regular file, 0644"), d.out());
            assertTrue(d.out().contains("~ changed  /var/www/html/index.php  (sha256, size"), d.out());
            assertTrue(d.out().contains("2 differences"), d.out());
            Result j = run("fs", "diff", "--json", target.pid + ":/var/www/html", "--against", baseline.toString());
            assertEquals(ExitCode.FOUND.code(), j.code());
            JsonNode n = new ObjectMapper().readTree(j.out());
            assertEquals("ADDED", n.get("changes").get(1).get("kind").asText(), j.out());
            java.nio.file.Files.delete(shell);
            java.nio.file.Files.delete(index);
            Result removed = run("fs", "diff", target.pid + ":/var/www/html", "--against", baseline.toString());
            assertTrue(removed.out().contains("- removed  /var/www/html/index.php"), removed.out());
        } finally {
            java.nio.file.Files.deleteIfExists(shell);
            java.nio.file.Files.writeString(index, original);
        }
        Result wrongPath = run("fs", "diff", target.pid + ":/etc", "--against", baseline.toString());
        assertEquals(2, wrongPath.code(), wrongPath.err());
        Result noBaseline = run("fs", "diff", target.pid + ":/etc", "--against", tmp.resolve("none.json").toString());
        assertEquals(2, noBaseline.code());
        assertTrue(noBaseline.err().contains("fs snapshot"), noBaseline.err());
    }

    @Test
    void watchPrintsJsonLinesWithTheContainerPath() throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        Thread t = new Thread(() -> Main.run(new String[] {"fs", "watch", "-r", "--json", "--count", "1", "--duration", "10",
                target.pid + ":/var/www/html"}, new PrintWriter(out, true), new PrintWriter(err, true)));
        t.start();
        for (int i = 0; i < 200 && !err.toString().contains("watching"); i++) Thread.sleep(20);
        java.nio.file.Path f = target.root.resolve("var/www/html/dropped.php");
        try {
            java.nio.file.Files.writeString(f, "x");
            t.join(10_000);
            JsonNode n = new ObjectMapper().readTree(out.toString().lines().findFirst().orElseThrow());
            assertEquals("file", n.get("type").asText());
            assertEquals("/var/www/html/dropped.php", n.get("path").asText());
            assertEquals("create", n.get("kind").asText());
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }
}
