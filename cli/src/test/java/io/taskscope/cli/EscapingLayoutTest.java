package io.taskscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EscapingLayoutTest {
    @Test
    void theAgentsLogLinesEscapeNamesAndCannotStartAFakeLine() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        EscapingLayout layout = new EscapingLayout();
        layout.setContext(ctx);
        layout.setPattern("%level %msg%n");
        layout.start();
        Logger log = ctx.getLogger("io.taskscope.agent.Agent");
        String comm = "\u001b]0;CPWN\u0007\u001b[2J";
        String raw = io.taskscope.text.Bytes.decode(new byte[] {'x', (byte) 0xff});
        var e = new LoggingEvent("x", log, Level.WARN, "tracing pid {} ({}) in container {}", null,
                new Object[] {42, comm + "\nWARN forged line", raw + "\u0085"});
        assertEquals("WARN tracing pid 42 (\\x1b]0;CPWN\\x07\\x1b[2J\\nWARN forged line) in container x\\xff\\xc2\\x85\n",
                layout.doLayout(e));
    }
}
