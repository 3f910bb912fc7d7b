package io.taskscope.cli.commands;

import static io.taskscope.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.cli.CliRun.Result;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 12, item 7: each bad input gets one line naming the problem and the fix, and its documented exit code. */
class BadInputTest {
    @AfterEach
    void cleanUp() {
        CPrograms.killAll();
    }

    static void assertOneLine(Result r, int code, String needle) {
        assertEquals(code, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("taskscope: ") && r.err().contains(needle), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void taskdefLintOfAnEndlessFileIsBoundedAndSaysSo() {
        long t0 = System.nanoTime();
        Result r = run("taskdef", "lint", "/dev/zero");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertOneLine(r, 2, "/dev/zero is larger than 1 MiB; a task definition is at most 64 KiB");
        assertTrue(ms < 5000, ms + " ms");
    }

    @Test
    void traceOptionsWithoutMeaningAreUsageErrors() {
        assertOneLine(run("trace", "-p", "1", "-c", "--json"), 2, "-c and --json cannot be combined");
        assertOneLine(run("trace", "-p", "1", "-tttt"), 2, "-t given 4 times");
    }

    @Test
    void healthTimeoutMustBePositiveAndABadSocketIsNamed() throws Exception {
        assertOneLine(run("health", "--timeout", "-1"), 2, "--timeout");
        assertOneLine(run("health", "--timeout", "0"), 2, "--timeout must be longer than 0");
        assertOneLine(run("health", "--socket", "/etc/passwd"), 1, "/etc/passwd is not a socket");
        assertOneLine(run("health", "--socket", "/tmp/" + "x".repeat(120)), 2, "longer than 107 bytes");
        assertOneLine(run("health", "--socket", "/nonexistent-dir/agent.sock"), 1, "no agent is listening on /nonexistent-dir/agent.sock (no socket there)");
    }

    @Test
    void traceToAFullDiskStopsWithOneLineAndExit1() throws Exception {
        Prereq.requireRoot();
        ProcessHandle target = CPrograms.start("fileloop", "0", "10000");
        long t0 = System.nanoTime();
        Result r = run("trace", "-p", Long.toString(target.pid()), "-e", "trace=openat", "-o", "/dev/full");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, r.code(), r.err());
        List<String> errors = r.err().lines().filter(l -> !l.matches("taskscope: Process \\d+ (attached|detached).*")).toList();
        assertEquals(List.of("taskscope: could not write the trace to /dev/full: No space left on device; the trace stopped and its "
                + "output is incomplete; free space on that disk, or choose another -o FILE"), errors, r.err());
        assertTrue(ms < 10_000, ms + " ms");
        assertTrue(target.isAlive());
        assertEquals(0, CPrograms.tracerPid(target.pid()), "detached");
    }
}
