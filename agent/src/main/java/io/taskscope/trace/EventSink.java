package io.taskscope.trace;

import io.taskscope.event.Event;

/**
 * Where the tracer puts its events. Called on the tracer thread while a tracee is stopped, so an
 * implementation must never block: {@link io.taskscope.event.EventQueue#offer} is the intended
 * one. Returning false counts a drop.
 */
@FunctionalInterface
public interface EventSink {
    boolean offer(Event event);
}
