package io.taskscope.rules;

import io.taskscope.event.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * An alert message template: text with {@code {field}} placeholders, checked when the rule is
 * loaded so that a typo fails at start rather than printing "{contianer}" at 3 a.m.
 */
public final class Message {
    /** Values come from neighbours (paths, command lines): keep a hostile one from flooding the log. */
    static final int MAX_VALUE = 256;

    private final String template;
    private final List<Object> parts; // String literals and Field placeholders

    private Message(String template, List<Object> parts) {
        this.template = template;
        this.parts = parts;
    }

    /** Parses a template; throws IllegalArgumentException naming an unknown or unclosed placeholder. */
    public static Message parse(String template) {
        List<Object> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                parts.add(template.substring(i));
                break;
            }
            if (open > i) parts.add(template.substring(i, open));
            int close = template.indexOf('}', open);
            if (close < 0) throw new IllegalArgumentException("unclosed '{' in message");
            String name = template.substring(open + 1, close);
            Field f = Field.byKey(name).orElseThrow(() -> new IllegalArgumentException(
                    "unknown placeholder {" + name + "} in message"));
            parts.add(f);
            i = close + 1;
        }
        return new Message(template, List.copyOf(parts));
    }

    public String render(Event e) {
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) {
            if (p instanceof Field f) {
                String v = f.of(e);
                if (v == null) v = "-"; // the event has no such field (a file event has no comm)
                if (v.length() > MAX_VALUE) v = v.substring(0, MAX_VALUE) + "...";
                sb.append(v);
            } else {
                sb.append((String) p);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return template;
    }
}
