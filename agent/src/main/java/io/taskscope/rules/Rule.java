package io.taskscope.rules;

import io.taskscope.event.AlertEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded Falco rule, compiled.
 *
 * @param source     where it was defined, "file:line"
 * @param eventTypes the event types its condition can match (null: any)
 * @param containers the container names its condition is limited to (null: any)
 */
public record Rule(String name, Priority priority, String description, List<String> tags, String source,
                   Set<String> eventTypes, Set<String> containers, Filter filter, Output output) {

    AlertEvent alert(EventContext c) {
        Map<String, Object> fields = output.newFields();
        String text = output.render(c, fields);
        return new AlertEvent(c.event.timeNanos(), name, priority.label(), text, fields, tags, c.env.hostname(),
                "syscall", c.container(), c.event);
    }
}
