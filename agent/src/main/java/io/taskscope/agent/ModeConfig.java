package io.taskscope.agent;

import io.taskscope.TaskscopeException;
import io.taskscope.agent.AgentConfig.Selector;
import io.taskscope.rules.Doc;
import io.taskscope.rules.Glob;
import io.taskscope.trace.TraceMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the agent's tracing costs and sees (docs/modes.md): every selected process in a base mode (lifecycle by
 * default: fork, exec and exit only, at almost no cost), escalation of suspicious processes to syscall mode,
 * continuous syscall tracing of chosen processes under a budget, and inotify watches of sensitive files.
 *
 * @param base      the mode of every selected process (TASKSCOPE_MODE: lifecycle or syscall)
 * @param syscall   processes kept in syscall mode continuously, under the budget (TASKSCOPE_SYSCALL_CONTAINERS,
 *                  TASKSCOPE_SYSCALL_EXES, TASKSCOPE_SYSCALL_COMMAND); empty for none
 * @param budget    the share of a budgeted process's time that its syscall stops may cost (0.05 for 5%);
 *                  1 or more: no duty cycling (TASKSCOPE_BUDGET: "5%", "none")
 * @param escalate  whether escalation conditions put a process into syscall mode at its exec (TASKSCOPE_ESCALATE)
 * @param sensitive files and directories watched for opens in every selected container's root
 *                  (TASKSCOPE_SENSITIVE_FILES; "none" for none)
 */
public record ModeConfig(TraceMode base, List<Selector> syscall, double budget, boolean escalate,
                         List<String> sensitive) {

    public static final List<String> DEFAULT_SENSITIVE = List.of("/etc/shadow", "/etc/gshadow", "/etc/sudoers",
            "/etc/sudoers.d", "/root/.ssh", "/root/.aws/credentials", "/root/.docker/config.json",
            "/var/run/secrets/kubernetes.io/serviceaccount");

    public static final Set<String> ENV = Set.of("TASKSCOPE_MODE", "TASKSCOPE_SYSCALL_CONTAINERS",
            "TASKSCOPE_SYSCALL_EXES", "TASKSCOPE_SYSCALL_COMMAND", "TASKSCOPE_BUDGET", "TASKSCOPE_ESCALATE",
            "TASKSCOPE_SENSITIVE_FILES");

    public static ModeConfig defaults() {
        return new ModeConfig(TraceMode.LIFECYCLE, List.of(), 0.05, true, DEFAULT_SENSITIVE);
    }

    /** Whether a process is one that stays in syscall mode (under the budget). */
    public boolean continuous(String container, String commandLine, String exe) {
        return syscall.stream().anyMatch(s -> s.matches(container, commandLine, exe));
    }

    /** Whether budgets apply at all (a budget of 100% or more never duty-cycles). */
    public boolean budgeted() {
        return budget < 1.0;
    }

    ModeConfig withEnv(Map<String, String> env) {
        TraceMode b = base;
        List<Selector> s = syscall;
        double bu = budget;
        boolean esc = escalate;
        List<String> sens = sensitive;
        String m = env.get("TASKSCOPE_MODE");
        if (present(m)) b = mode(m, "TASKSCOPE_MODE");
        String cs = env.get("TASKSCOPE_SYSCALL_CONTAINERS"), xs = env.get("TASKSCOPE_SYSCALL_EXES"),
                cmd = env.get("TASKSCOPE_SYSCALL_COMMAND");
        if (present(cs) || present(xs) || present(cmd)) {
            s = List.of(new Selector(globs(cs, "TASKSCOPE_SYSCALL_CONTAINERS"),
                    present(cmd) ? Optional.of(regex(cmd, "TASKSCOPE_SYSCALL_COMMAND")) : Optional.empty(),
                    globs(xs, "TASKSCOPE_SYSCALL_EXES")));
        }
        String bud = env.get("TASKSCOPE_BUDGET");
        if (present(bud)) bu = budget(bud, "TASKSCOPE_BUDGET");
        String e = env.get("TASKSCOPE_ESCALATE");
        if (present(e)) esc = bool(e, "TASKSCOPE_ESCALATE");
        String f = env.get("TASKSCOPE_SENSITIVE_FILES");
        if (present(f)) sens = f.trim().equalsIgnoreCase("none") ? List.of() : paths(f, "TASKSCOPE_SENSITIVE_FILES");
        return new ModeConfig(b, s, bu, esc, sens);
    }

    /** The config file's {@code modes:} section: base, budget, escalate, sensitive-files, syscall (selectors). */
    ModeConfig withFile(Doc d, java.util.function.Function<Doc, List<Selector>> selectors) {
        Doc.Mapping m = d.asMap("modes").onlyKeys(Set.of("base", "syscall", "budget", "escalate", "sensitive-files"), "modes");
        TraceMode b = m.get("base").map(x -> mode(x.asText("modes.base"), x.where() + ": modes.base")).orElse(base);
        List<Selector> s = m.get("syscall").map(selectors).orElse(syscall);
        double bu = m.get("budget").map(x -> budget(x.asText("modes.budget"), x.where() + ": modes.budget")).orElse(budget);
        boolean esc = m.get("escalate").map(x -> x.asBool("modes.escalate")).orElse(escalate);
        List<String> sens = m.get("sensitive-files").map(x -> x.asScalars("modes.sensitive-files").stream()
                .map(Doc.Scalar::text).toList()).orElse(sensitive);
        for (String p : sens) {
            if (!p.startsWith("/")) throw bad("modes.sensitive-files", "'" + p + "' is not absolute", "write e.g. /etc/shadow");
        }
        return new ModeConfig(b, s, bu, esc, sens);
    }

    // ---------------------------------------------------------------- values

    private static TraceMode mode(String text, String where) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "lifecycle" -> TraceMode.LIFECYCLE;
            case "syscall" -> TraceMode.SYSCALL;
            default -> throw bad(where, "'" + text + "' is not a mode", "write lifecycle (the default) or syscall");
        };
    }

    /** "5%", "0.5%", "none" (or "100%": no duty cycling). */
    static double budget(String text, String where) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("none") || t.equals("off")) return 1.0;
        if (t.endsWith("%")) {
            try {
                double v = Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100;
                if (v > 0 && v <= 1) return v;
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw bad(where, "'" + text + "' is not a budget", "write a percentage above 0 and at most 100, e.g. 5%, or none");
    }

    private static boolean bool(String text, String where) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw bad(where, "'" + text + "' is not true or false", "write true or false");
        };
    }

    private static List<Glob> globs(String text, String where) {
        if (!present(text)) return List.of();
        return split(text).stream().map(s -> {
            try {
                return Glob.of(s);
            } catch (IllegalArgumentException e) {
                throw bad(where, e.getMessage(), "close the bracket");
            }
        }).toList();
    }

    private static Pattern regex(String text, String where) {
        try {
            return Pattern.compile(text);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw bad(where, "'" + text + "' is not a valid regular expression (" + e.getDescription() + ")", "fix the expression");
        }
    }

    private static List<String> paths(String text, String where) {
        List<String> out = split(text);
        for (String p : out) {
            if (!p.startsWith("/")) throw bad(where, "'" + p + "' is not an absolute path", "write e.g. /etc/shadow,/root/.ssh");
        }
        return out;
    }

    private static List<String> split(String s) {
        return java.util.Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static TaskscopeException bad(String where, String problem, String fix) {
        return TaskscopeException.runtime(where + ": " + problem, fix);
    }
}
