package io.taskscope.rules;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import java.util.ArrayList;
import java.util.List;

/** The loaded rules; {@link #evaluate} is called for every event on the agent's writer path. */
public record RuleSet(List<Rule> rules) {
    public static final RuleSet EMPTY = new RuleSet(List.of());

    /** The alerts {@code e} raises, in rule order. Alerts never trigger rules (no loops). */
    public List<AlertEvent> evaluate(Event e) {
        if (e instanceof AlertEvent || rules.isEmpty()) return List.of();
        List<AlertEvent> out = null;
        for (Rule r : rules) {
            if (r.matches(e)) {
                if (out == null) out = new ArrayList<>(2);
                out.add(r.alert(e));
            }
        }
        return out == null ? List.of() : out;
    }

    public int size() {
        return rules.size();
    }
}
