package io.taskscope.cli;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.taskscope.text.Escape;

/**
 * The stderr log layout: log lines quote neighbours (comm, paths, container names), so nothing in a
 * line reaches the terminal raw. {@code %msg} is {@link Message} (the whole message escaped, newlines
 * included: a name cannot start a fake log line); every line of the result, stack traces under
 * {@code --debug} included, then goes through {@link Escape#controls}.
 */
public final class EscapingLayout extends PatternLayout {
    public EscapingLayout() {
        for (String word : new String[] {"m", "msg", "message"}) getInstanceConverterMap().put(word, Message::new);
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        String s = super.doLayout(event);
        StringBuilder out = new StringBuilder(s.length() + 16);
        int start = 0;
        for (int i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', start)) {
            out.append(Escape.controls(s.substring(start, i))).append('\n');
            start = i + 1;
        }
        return out.append(Escape.controls(s.substring(start))).toString();
    }

    /** {@code %msg}: the formatted message with {@link Escape#controls} applied. */
    public static final class Message extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return Escape.controls(event.getFormattedMessage());
        }
    }
}
