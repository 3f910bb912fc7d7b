package io.taskscope.rules;

import io.taskscope.event.Event;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A conjunction of field tests: every listed field must match. A field the event does not carry
 * (a path on a process event) does not match.
 */
public record Condition(Map<Field, Test> tests) {

    /** One field's test. */
    public sealed interface Test {
        boolean matches(String value);
    }

    /** The value is one of these, exactly. */
    public record OneOf(Set<String> values) implements Test {
        @Override
        public boolean matches(String value) {
            return value != null && values.contains(value);
        }

        @Override
        public String toString() {
            return String.join("|", values);
        }
    }

    /** The value matches one of these globs. */
    public record AnyGlob(List<Glob> globs) implements Test {
        @Override
        public boolean matches(String value) {
            if (value == null) return false;
            for (Glob g : globs) if (g.matches(value)) return true;
            return false;
        }

        @Override
        public String toString() {
            return globs.stream().map(Glob::toString).collect(Collectors.joining("|"));
        }
    }

    /** The "|"-separated flag set contains at least one of these flags. */
    public record AnyFlag(Set<String> flags) implements Test {
        @Override
        public boolean matches(String value) {
            if (value == null) return false;
            int start = 0;
            while (start <= value.length()) {
                int bar = value.indexOf('|', start);
                int end = bar < 0 ? value.length() : bar;
                if (flags.contains(value.substring(start, end).trim())) return true;
                if (bar < 0) break;
                start = bar + 1;
            }
            return false;
        }
    }

    public boolean matches(Event e) {
        for (var t : tests.entrySet()) {
            if (!t.getValue().matches(t.getKey().of(e))) return false;
        }
        return true;
    }
}
