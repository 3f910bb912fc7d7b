package io.taskscope.agent;

import io.taskscope.event.Event;
import java.util.List;

/**
 * A destination of the agent's events: stdout, the metrics counters, the control socket's subscribers, the
 * rules. Every sink is called on the agent's one dispatch thread, in event order, and must not block for
 * long (one that can, stdout, has its own queue behind it).
 */
public interface Sink {
    void accept(Event e);

    /** Each sink in turn; one that throws does not keep the event from the others. */
    static Sink all(List<Sink> sinks) {
        Sink[] a = sinks.toArray(new Sink[0]);
        return e -> {
            RuntimeException first = null;
            for (Sink s : a) {
                try {
                    s.accept(e);
                } catch (RuntimeException ex) {
                    if (first == null) first = ex;
                }
            }
            if (first != null) throw first;
        };
    }
}
