package io.taskscope.rules;

import java.util.Locale;
import java.util.Optional;

/** Falco's priorities, most severe first; parsed case-insensitively, written as Falco writes them. */
public enum Priority {
    EMERGENCY("Emergency"), ALERT("Alert"), CRITICAL("Critical"), ERROR("Error"), WARNING("Warning"),
    NOTICE("Notice"), INFORMATIONAL("Informational"), DEBUG("Debug");

    private final String label;

    Priority(String label) {
        this.label = label;
    }

    /** As in Falco's JSON output: "Warning". */
    public String label() {
        return label;
    }

    public static Optional<Priority> parse(String s) {
        String u = s.trim().toUpperCase(Locale.ROOT);
        if (u.equals("INFO")) return Optional.of(INFORMATIONAL);
        for (Priority p : values()) if (p.name().equals(u)) return Optional.of(p);
        return Optional.empty();
    }
}
