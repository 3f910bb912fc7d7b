package io.taskscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logging without logback.xml: what a user sees on stderr is unchanged (WARN and up, escaped, one line each). */
class LogSetupTest {
    @Test
    void warningsReachStderrEscapedAndDebugDoesNot() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.WARN, root.getLevel(), "LogSetup configured logback (no XML)");
        PrintStream saved = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            org.slf4j.Logger log = LoggerFactory.getLogger("io.taskscope.trace.Tracer");
            log.debug("not shown");
            log.warn("tracee {} vanished", "\u001b[2Jevil\nWARN forged");
        } finally {
            System.setErr(saved);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[[^]]+\\] i\\.t\\.trace\\.Tracer: tracee \\\\x1b\\[2Jevil\\\\nWARN forged vanished\n"), err);
    }
}
