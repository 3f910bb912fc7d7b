package io.taskscope.env;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * A process's environment and where it came from.
 *
 * @param procfsProblem why /proc/PID/environ was not used (empty, overwritten by the process title), or null
 * @param detail        how the variables were obtained (which symbol of which file, at which address)
 * @param note          what the reader should keep in mind (a recovered environment is the live one), or null
 * @param truncated     a limit (entries, bytes) cut the list short
 */
public record Environment(int pid, String comm, Source source, String procfsProblem, String detail, String note,
                          boolean truncated, List<EnvVar> variables) {
    public enum Source {
        /** Read from /proc/PID/environ: the environment the process was started with. */
        PROCFS,
        /** Read from the process's memory through libc's environ pointer: the live environment. */
        RECOVERED;

        @JsonValue
        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Environment redacted(boolean show) {
        return new Environment(pid, comm, source, procfsProblem, detail, note, truncated, Redaction.apply(variables, show));
    }
}
