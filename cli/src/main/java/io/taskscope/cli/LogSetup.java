package io.taskscope.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.charset.StandardCharsets;

/**
 * Logging as code instead of logback.xml: root at WARN, one appender to stderr with {@link EscapingLayout}. Found by
 * logback through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}; it ends logback's search, so no
 * XML is parsed. Logback's XML configuration cost ~80 ms of CPU at the first logger (every command, before
 * `trace` could attach); this costs a few. The layout is built at the first line logged, which most runs never reach.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** What every stderr log line looks like (the agent's lines are read in CloudWatch next to its events). */
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20}: %msg%n";

    public LogSetup() {}

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Stderr appender = new Stderr();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Diagnostics go to stderr only (stdout belongs to output and events), each line escaped, written at once. */
    static final class Stderr extends AppenderBase<ILoggingEvent> {
        private EscapingLayout layout;

        @Override
        protected void append(ILoggingEvent event) { // AppenderBase.doAppend holds the lock
            if (layout == null) {
                EscapingLayout l = new EscapingLayout();
                l.setContext(getContext());
                l.setPattern(PATTERN);
                l.start();
                layout = l;
            }
            byte[] line = layout.doLayout(event).getBytes(StandardCharsets.UTF_8);
            System.err.write(line, 0, line.length);
            System.err.flush();
        }
    }
}
