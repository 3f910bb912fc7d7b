package io.taskscope.event;

/**
 * Events were dropped because the output could not keep up (the tracer never waits for output).
 *
 * @param dropped how many since the previous drop report
 * @param total   how many since start
 */
public record DropEvent(long timeNanos, long dropped, long total, String reason) implements Event {
    @Override
    public String type() {
        return "drop";
    }
}
