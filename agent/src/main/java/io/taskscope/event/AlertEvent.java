package io.taskscope.event;

/**
 * A rule matched.
 *
 * @param priority  "critical", "high", "medium", "low"
 * @param trigger   the event that matched
 */
public record AlertEvent(long timeNanos, String rule, String priority, String message, String container,
                         Event trigger) implements Event {
    @Override
    public String type() {
        return "alert";
    }
}
