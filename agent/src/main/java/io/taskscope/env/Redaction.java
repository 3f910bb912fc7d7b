package io.taskscope.env;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Which variables hold secrets: their values are hidden unless the user asks (--show-secrets). */
public final class Redaction {
    public static final String MASK = "<redacted>";
    private static final List<String> WORDS = List.of("SECRET", "PASSWORD", "PASSWD", "TOKEN", "KEY", "CREDENTIAL");
    /** Named outright so that the rule does not depend on the words above: ECS task-role credentials and friends. */
    private static final Set<String> NAMES = Set.of("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN");

    private Redaction() {}

    public static boolean isSecret(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return NAMES.contains(n) || WORDS.stream().anyMatch(n::contains);
    }

    /** The variables with secret values masked (show = true returns them unchanged). */
    public static List<EnvVar> apply(List<EnvVar> vars, boolean show) {
        if (show) return vars;
        return vars.stream().map(v -> isSecret(v.name()) ? new EnvVar(v.name(), MASK, true) : v).toList();
    }
}
