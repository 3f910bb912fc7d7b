package io.taskscope.rules;

import io.taskscope.linux.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads rule files (YAML or JSON) into a {@link RuleSet}. Every mistake is reported with the
 * file, the line and what to change; nothing is half-loaded.
 *
 * <pre>
 * rules:
 *   - name: etc-shadow-read
 *     priority: high
 *     when: {event: syscall, syscall: [open, openat, openat2], path: /etc/shadow}
 *     message: "{comm} (pid {pid}) in {container} opened {path}"
 * disable: [some-default-rule]
 * </pre>
 *
 * Files load in order; a rule with the name of an earlier one replaces it, and {@code disable}
 * removes earlier rules by name, so a user file can tune the defaults without copying them.
 */
public final class RuleLoader {
    public static final String DEFAULT_RESOURCE = "default-rules.yaml";

    private static final Set<String> TOP_KEYS = Set.of("rules", "disable");
    private static final Set<String> RULE_KEYS = Set.of("name", "priority", "description", "message", "when",
            "unless", "enabled");
    private static final Set<String> EVENT_TYPES = Set.of("syscall", "process", "file", "drop");
    private static final Set<String> KINDS = Set.of("start", "exec", "exit", "create", "modify", "delete",
            "move_from", "move_to", "attrib");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    private static final Pattern SYSCALL = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern FLAG = Pattern.compile("[A-Z][A-Z0-9_]*");

    private final Predicate<String> knownSyscall;
    private final Map<String, Rule> rules = new LinkedHashMap<>();

    /** @param knownSyscall says whether a syscall name exists (the decoder's table); unknown names are errors */
    public RuleLoader(Predicate<String> knownSyscall) {
        this.knownSyscall = knownSyscall;
    }

    public RuleLoader() {
        this(s -> true);
    }

    /** Adds the rules shipped in the jar. */
    public RuleLoader addDefaults() {
        try (InputStream in = RuleLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("default rules missing from the jar");
            add(Doc.parse(DEFAULT_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8), false));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    public RuleLoader addFile(Path file) {
        add(Doc.parse(file));
        return this;
    }

    public RuleLoader addText(String name, String yaml) {
        add(Doc.parse(name, yaml, false));
        return this;
    }

    public RuleSet build() {
        return new RuleSet(List.copyOf(rules.values()));
    }

    private void add(Doc doc) {
        Doc.Mapping top = doc.asMap("a rule file").onlyKeys(TOP_KEYS, "a rule file");
        Map<String, Rule> loaded = new LinkedHashMap<>();
        for (Doc d : top.get("rules").map(r -> seq(r, "rules")).orElse(List.of())) {
            Rule r = rule(d.asMap("a rule"));
            if (r == null) continue;
            if (loaded.containsKey(r.name())) {
                throw Doc.error(r.source(), "rule '" + r.name() + "' is defined twice in this file",
                        "rename one of them");
            }
            loaded.put(r.name(), r);
        }
        Set<String> disabled = new LinkedHashSet<>();
        for (Doc.Scalar s : top.get("disable").map(d -> d.asScalars("disable")).orElse(List.of())) {
            if (!rules.containsKey(s.text()) && !loaded.containsKey(s.text())) {
                throw Doc.error(s.where(), "disable: no rule named '" + s.text() + "' was loaded before",
                        "check the name (taskscope agent --list-rules prints them)");
            }
            disabled.add(s.text());
        }
        rules.putAll(loaded);
        rules.keySet().removeAll(disabled);
    }

    private static List<Doc> seq(Doc d, String what) {
        if (d instanceof Doc.Seq q) return q.items();
        throw Doc.error(d.where(), what + " must be a list", "start each entry with '- '");
    }

    private Rule rule(Doc.Mapping m) {
        m.onlyKeys(RULE_KEYS, "a rule");
        String name = m.get("name").orElseThrow(() -> Doc.error(m.where(), "a rule has no name", "add 'name: ...'"))
                .asText("name");
        String ctx = "rule '" + name + "'";
        if (!NAME.matcher(name).matches()) {
            throw Doc.error(m.get("name").get().where(), ctx + ": name must be lowercase letters, digits, '-', '_', '.'",
                    "rename it, e.g. shell-in-container");
        }
        if (m.get("enabled").isPresent() && !m.get("enabled").get().asBool("enabled")) return null;
        Doc pd = m.get("priority").orElseThrow(() -> Doc.error(m.where(), ctx + " has no priority",
                "add 'priority: critical|high|medium|low'"));
        Rule.Priority priority;
        try {
            priority = Rule.Priority.valueOf(pd.asText("priority").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Doc.error(pd.where(), ctx + ": unknown priority '" + pd.asText("priority") + "'",
                    "use critical, high, medium or low");
        }
        Doc md = m.get("message").orElseThrow(() -> Doc.error(m.where(), ctx + " has no message",
                "add 'message: \"...{path}...\"'"));
        Message message;
        try {
            message = Message.parse(md.asText("message"));
        } catch (IllegalArgumentException e) {
            throw Doc.error(md.where(), ctx + ": " + e.getMessage(), "placeholders are " + fieldKeys());
        }
        Doc wd = m.get("when").orElseThrow(() -> Doc.error(m.where(), ctx + " has no 'when' condition",
                "add 'when: {event: syscall, ...}'"));
        List<Condition> when = conditions(wd, ctx + ", when");
        List<Condition> unless = m.get("unless").map(d -> conditions(d, ctx + ", unless")).orElse(List.of());
        String description = m.get("description").map(d -> d.asText("description")).orElse("");
        return new Rule(name, priority, description, message, when, unless, m.where());
    }

    /** A mapping is one condition; a list of mappings is "any of". */
    private List<Condition> conditions(Doc d, String ctx) {
        if (d instanceof Doc.Seq q) {
            if (q.items().isEmpty()) throw Doc.error(d.where(), ctx + ": empty list of conditions", "add a condition");
            List<Condition> out = new ArrayList<>();
            for (Doc item : q.items()) out.add(condition(item.asMap(ctx), ctx));
            return out;
        }
        return List.of(condition(d.asMap(ctx), ctx));
    }

    private Condition condition(Doc.Mapping m, String ctx) {
        if (m.entries().isEmpty()) {
            throw Doc.error(m.where(), ctx + ": empty condition would match every event", "add at least one field");
        }
        Map<Field, Condition.Test> tests = new EnumMap<>(Field.class);
        for (var e : m.entries().entrySet()) {
            String key = e.getKey();
            String where = m.keyWhere().get(key);
            Field f = Field.byKey(key).filter(RuleLoader::testable).orElseThrow(() -> Doc.error(where,
                    ctx + ": unknown field '" + key + "'", "use one of " + testableKeys()));
            tests.put(f, test(f, e.getValue(), ctx + ", " + key));
        }
        return new Condition(tests);
    }

    private Condition.Test test(Field f, Doc d, String ctx) {
        List<Doc.Scalar> values = d.asScalars(ctx);
        if (values.isEmpty()) throw Doc.error(d.where(), ctx + ": empty list", "list at least one value");
        Set<String> set = new LinkedHashSet<>();
        List<Glob> globs = new ArrayList<>();
        for (Doc.Scalar s : values) {
            String v = s.text().trim();
            String bad = switch (f) {
                case EVENT -> EVENT_TYPES.contains(v) ? null : "unknown event type '" + v + "' (use syscall, process, file, drop)";
                case KIND -> KINDS.contains(v) ? null : "unknown kind '" + v + "' (use " + String.join(", ", new java.util.TreeSet<>(KINDS)) + ")";
                case SYSCALL -> SYSCALL.matcher(v).matches() && knownSyscall.test(v) ? null : "unknown syscall '" + v + "'";
                case FLAGS -> FLAG.matcher(v).matches() ? null : "'" + v + "' is not a flag name like O_WRONLY";
                case ERRNO -> Errno.byName(v) > 0 ? null : "unknown errno '" + v + "' (use a name like ENOENT)";
                case UID -> v.matches("\\d{1,10}") ? null : "uid must be a number, not '" + v + "'";
                case RET -> v.matches("-?\\d{1,19}") ? null : "ret must be a number, not '" + v + "'";
                case FAILED -> v.equals("true") || v.equals("false") ? null : "failed must be true or false, not '" + v + "'";
                default -> null;
            };
            if (bad != null) throw Doc.error(s.where(), ctx + ": " + bad, "fix the value");
            switch (f) {
                case PATH, EXE, CONTAINER, COMM -> {
                    try {
                        globs.add(Glob.of(v));
                    } catch (IllegalArgumentException e) {
                        throw Doc.error(s.where(), ctx + ": " + e.getMessage(), "close the bracket");
                    }
                }
                default -> set.add(v);
            }
        }
        return switch (f) {
            case PATH, EXE, CONTAINER, COMM -> new Condition.AnyGlob(List.copyOf(globs));
            case FLAGS -> new Condition.AnyFlag(Set.copyOf(set));
            default -> new Condition.OneOf(Set.copyOf(set));
        };
    }

    private static boolean testable(Field f) {
        return f != Field.PID && f != Field.PPID && f != Field.ARGV;
    }

    private static String testableKeys() {
        return String.join(", ", java.util.Arrays.stream(Field.values()).filter(RuleLoader::testable).map(Field::key).toList());
    }

    private static String fieldKeys() {
        return String.join(", ", java.util.Arrays.stream(Field.values()).map(f -> "{" + f.key() + "}").toList());
    }

    /** Convenience for callers that already hold TaskscopeExceptions: loads defaults plus files. */
    public static RuleSet load(boolean defaults, List<Path> files, Predicate<String> knownSyscall) {
        RuleLoader l = new RuleLoader(knownSyscall);
        if (defaults) l.addDefaults();
        for (Path f : files) l.addFile(f);
        return l.build();
    }

}
