package io.taskscope.env;

/**
 * One variable. An entry without '=' (legal in an environ block) has an empty value.
 *
 * @param redacted the value, or a secret part of it, was replaced by {@link Redaction#MASK}
 */
public record EnvVar(String name, String value, boolean redacted) {
    static EnvVar parse(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? new EnvVar(entry, "", false) : new EnvVar(entry.substring(0, eq), entry.substring(eq + 1), false);
    }
}
