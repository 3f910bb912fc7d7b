package io.taskscope.agent;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import io.taskscope.rules.RuleEngine;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules as a stage in front of the other sinks: every event goes on to them, followed by the alerts
 * it raised. Runs on the dispatch thread, after the tracee has been resumed.
 */
final class RulesSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger(RulesSink.class);

    private final RuleEngine engine;
    private final Sink next;
    private boolean failing;

    RulesSink(RuleEngine engine, Sink next) {
        this.engine = engine;
        this.next = next;
    }

    @Override
    public void accept(Event e) {
        List<AlertEvent> alerts;
        try {
            alerts = engine.accept(e);
            failing = false;
        } catch (RuntimeException ex) {
            // a bug in one field must not stop the event stream; say it once per spell
            if (!failing) log.warn("rule evaluation failed on a {} event: {}", e.type(), ex.toString(), ex);
            failing = true;
            alerts = List.of();
        }
        next.accept(e);
        for (AlertEvent a : alerts) next.accept(a);
    }
}
