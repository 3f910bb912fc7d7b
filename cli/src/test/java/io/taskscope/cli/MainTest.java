package io.taskscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void unknownOptionIsOneLineAndExit2() {
        Result r = run("--no-such-option");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("taskscope: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug");
    }

    @Test
    void versionPrints() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("taskscope "));
    }

    @Test
    void everyCommandsHelpIsCleanOnStderr() {
        // picocli prints "[picocli WARN] Could not format ..." on stderr for an unescaped % in help text.
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            for (String name : TaskscopeCommand.SUBCOMMANDS.keySet()) {
                Result r = run(name, "--help");
                assertEquals(0, r.code(), name);
                assertTrue(r.out().contains("Usage: taskscope " + name), name + ": " + r.out());
                assertEquals("", r.err(), name);
            }
        } finally {
            System.setErr(old);
        }
        assertEquals("", captured.toString(), "picocli's own warnings");
    }
}
