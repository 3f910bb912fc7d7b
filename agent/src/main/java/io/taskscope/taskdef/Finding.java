package io.taskscope.taskdef;

import java.util.Optional;

/**
 * One problem of a task definition.
 *
 * @param severity  an error makes {@code taskdef lint} exit 1; a warning does not
 * @param rule      a stable id (docs/doctor.md lists them), for filtering and for the JSON output
 * @param path      where, as a JSON path into the file: {@code $.containerDefinitions[2].essential}
 * @param container the container concerned, when there is one
 * @param message   what is wrong and what it breaks
 * @param fix       what to write instead
 */
public record Finding(Severity severity, String rule, String path, Optional<String> container, String message,
                      String fix) {

    public enum Severity {
        ERROR, WARNING;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
