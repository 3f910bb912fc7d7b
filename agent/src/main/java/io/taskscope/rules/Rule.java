package io.taskscope.rules;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import java.util.List;

/**
 * A named condition that raises an alert: it fires when any {@code when} condition matches and no
 * {@code unless} condition does.
 *
 * @param source where the rule was defined ("rules.yaml:12", or "default-rules.yaml:3")
 */
public record Rule(String name, Priority priority, String description, Message message,
                   List<Condition> when, List<Condition> unless, String source) {

    public enum Priority {
        CRITICAL, HIGH, MEDIUM, LOW;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean matches(Event e) {
        boolean hit = false;
        for (Condition c : when) {
            if (c.matches(e)) {
                hit = true;
                break;
            }
        }
        if (!hit) return false;
        for (Condition c : unless) if (c.matches(e)) return false;
        return true;
    }

    public AlertEvent alert(Event trigger) {
        return new AlertEvent(trigger.timeNanos(), name, priority.label(), message.render(trigger),
                Field.CONTAINER.of(trigger), trigger);
    }
}
