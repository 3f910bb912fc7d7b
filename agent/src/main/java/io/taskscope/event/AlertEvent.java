package io.taskscope.event;

import java.util.List;
import java.util.Map;

/**
 * A rule matched: Falco's alert (the same members under the same names in JSON), plus the container and
 * the event that matched.
 *
 * @param priority     Falco's priority as Falco writes it: "Emergency", "Alert", "Critical", "Error",
 *                     "Warning", "Notice", "Informational", "Debug"
 * @param output       the rule's output with every %field replaced ("&lt;NA&gt;" for a field without value)
 * @param outputFields each field the output names, with its value (String, Long, Boolean, or null)
 * @param tags         the rule's tags, sorted
 * @param hostname     the monitor's host name
 * @param source       always "syscall"
 * @param trigger      the event that matched
 */
public record AlertEvent(long timeNanos, String rule, String priority, String output, Map<String, Object> outputFields,
                         List<String> tags, String hostname, String source, String container, Event trigger)
        implements Event {
    @Override
    public String type() {
        return "alert";
    }
}
