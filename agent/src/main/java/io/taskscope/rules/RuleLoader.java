package io.taskscope.rules;

import io.taskscope.TaskscopeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Reads Falco rule files: {@code - rule:}, {@code - macro:}, {@code - list:},
 * {@code - required_engine_version:}, {@code - required_plugin_versions:}, in order, several files one
 * after another. A later definition with the same name replaces an earlier one; {@code override:}
 * ({@code append} or {@code replace} per key) and the older {@code append: true} change it instead.
 * Lists and macros are resolved when everything is loaded ({@link #build()}), so a macro may use one
 * defined later or in a later file.
 *
 * <p>A syntax error, an undefined macro, an unknown field or a bad value stops the load with
 * "file:line:column: what: problem". A rule that uses a Falco field taskscope cannot fill (k8s.*,
 * proc.is_exe_upper_layer...) or another event source is not loaded: one warning names the rule and
 * the field, and the other rules run.
 */
public final class RuleLoader {
    public static final String DEFAULT_RESOURCE = "default-rules.yaml";

    private static final Set<String> RULE_KEYS = Set.of("rule", "desc", "condition", "output", "priority", "tags",
            "enabled", "exceptions", "source", "append", "override", "warn_evttypes", "skip-if-unknown-filter",
            "capture", "capture_duration", "output_fields");
    private static final Set<String> APPENDABLE = Set.of("condition", "output", "desc", "tags", "exceptions");
    private static final Set<String> REPLACEABLE = Set.of("condition", "output", "desc", "priority", "tags",
            "exceptions", "enabled", "source", "warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration");

    private final Predicate<String> knownSyscall;
    private final Map<String, List<String>> lists = new LinkedHashMap<>();
    private final Map<String, CondText> macros = new LinkedHashMap<>();
    private final Map<String, RuleDef> rules = new LinkedHashMap<>();
    private final List<String> required = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** A rule as read, before compiling. */
    private static final class RuleDef {
        String name;
        String where;
        String desc = "";
        CondText condition;
        String output;
        String outputWhere;
        Priority priority;
        List<String> tags = new ArrayList<>();
        boolean enabled = true;
        String source = "syscall";
        boolean skipIfUnknown;
        final Map<String, ExceptionDef> exceptions = new LinkedHashMap<>();
    }

    private record ExceptionDef(String name, List<String> fields, List<String> comps, boolean single,
                                List<Doc> values, String file, Doc.Mapping at) {}

    /** @param knownSyscall whether an evt.type is a syscall the decoder knows (other types never happen here) */
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
            return addText(DEFAULT_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public RuleLoader addFile(Path file) {
        return addText(file.toString(), Doc.read(file, "check the rule file's path (TASKSCOPE_RULES)"));
    }

    public RuleLoader addText(String name, String yaml) {
        Doc doc = Doc.parse(name, yaml, false);
        if (doc instanceof Doc.Mapping m) {
            if (m.entries().isEmpty()) return this;
            if (m.entries().containsKey("rules") || m.entries().containsKey("disable")) {
                throw TaskscopeException.runtime(m.where() + ": this is taskscope's old rule format (rules: with when/unless);"
                        + " rule files are now Falco rule files", "rewrite it as a list of '- rule:' items (docs/rules.md shows"
                        + " the old default rules in Falco syntax)");
            }
            throw Doc.error(m.where(), "a Falco rule file is a list of items", "start each item with '- rule:', '- macro:' or '- list:'");
        }
        if (!(doc instanceof Doc.Seq seq)) {
            throw Doc.error(doc.where(), "a Falco rule file is a list of items", "start each item with '- rule:', '- macro:' or '- list:'");
        }
        for (Doc d : seq.items()) item(d.asMap("a rule file item"), name, yaml);
        return this;
    }

    private void item(Doc.Mapping m, String file, String raw) {
        if (m.get("rule").isPresent()) {
            rule(m, file, raw);
        } else if (m.get("macro").isPresent()) {
            macro(m, file, raw);
        } else if (m.get("list").isPresent()) {
            list(m);
        } else if (m.get("required_engine_version").isPresent()) {
            required.add(m.where() + ": required_engine_version " + text(m.get("required_engine_version").get()));
        } else if (m.get("required_plugin_versions").isPresent()) {
            Doc d = m.get("required_plugin_versions").get();
            List<String> names = new ArrayList<>();
            if (d instanceof Doc.Seq q) {
                for (Doc p : q.items()) {
                    if (p instanceof Doc.Mapping pm) names.add(pm.get("name").map(RuleLoader::text).orElse("?")
                            + pm.get("version").map(v -> " " + text(v)).orElse(""));
                }
            }
            required.add(m.where() + ": required_plugin_versions " + names + " (taskscope has no plugins; rules of other sources are skipped)");
        } else {
            throw Doc.error(m.where(), "unknown item with keys " + m.entries().keySet(),
                    "use '- rule:', '- macro:', '- list:', '- required_engine_version:' or '- required_plugin_versions:'");
        }
    }

    private static String text(Doc d) {
        return d instanceof Doc.Scalar s ? s.text() : d.toString();
    }

    // ------------------------------------------------------------------ lists and macros

    private void list(Doc.Mapping m) {
        String name = m.get("list").get().asText("list");
        String mode = mode(m, "items", name);
        List<String> items = new ArrayList<>();
        Doc itemsDoc = m.get("items").orElseThrow(() -> Doc.error(m.where(), "list '" + name + "' has no items", "add 'items: [a, b]'"));
        if (itemsDoc instanceof Doc.Seq q) {
            for (Doc d : q.items()) {
                if (!(d instanceof Doc.Scalar s)) throw Doc.error(d.where(), "list '" + name + "': items must be plain values", "remove the nesting");
                items.add(s.text());
            }
        } else if (!(itemsDoc instanceof Doc.Scalar s && s.isNull())) {
            throw Doc.error(itemsDoc.where(), "list '" + name + "': items must be a list", "write items: [a, b]");
        }
        if (mode.equals("append")) {
            List<String> old = lists.get(name);
            if (old == null) throw Doc.error(m.where(), "list '" + name + "': nothing to append to", "define the list first, or load its file earlier");
            old.addAll(items);
        } else {
            if (mode.equals("replace") && !lists.containsKey(name)) {
                throw Doc.error(m.where(), "list '" + name + "': nothing to replace", "define the list first, or load its file earlier");
            }
            lists.put(name, items);
        }
    }

    private void macro(Doc.Mapping m, String file, String raw) {
        String name = m.get("macro").get().asText("macro");
        String mode = mode(m, "condition", name);
        Doc cd = m.get("condition").orElseThrow(() -> Doc.error(m.where(), "macro '" + name + "' has no condition", "add 'condition: ...'"));
        CondText t = condText(cd, file, raw, "macro '" + name + "'");
        if (mode.equals("append")) {
            CondText old = macros.get(name);
            if (old == null) throw Doc.error(m.where(), "macro '" + name + "': nothing to append to", "define the macro first, or load its file earlier");
            macros.put(name, old.append(t));
        } else {
            if (mode.equals("replace") && !macros.containsKey(name)) {
                throw Doc.error(m.where(), "macro '" + name + "': nothing to replace", "define the macro first, or load its file earlier");
            }
            macros.put(name, t);
        }
    }

    /** "define", "append" or "replace" for a list's items or a macro's condition. */
    private static String mode(Doc.Mapping m, String key, String name) {
        if (m.get("append").isPresent() && m.get("append").get().asBool("append")) return "append";
        if (m.get("override").isEmpty()) return "define";
        Doc.Mapping o = m.get("override").get().asMap("override");
        String v = o.get(key).map(d -> d.asText("override." + key)).orElse("define");
        if (!Set.of("append", "replace", "define").contains(v)) {
            throw Doc.error(o.where(), "'" + name + "': override." + key + " must be append or replace, not '" + v + "'", "write append or replace");
        }
        return v;
    }

    private static CondText condText(Doc d, String file, String raw, String what) {
        if (!(d instanceof Doc.Scalar s) || s.isNull()) {
            throw Doc.error(d.where(), what + ": the condition must be text", "write 'condition: ...'");
        }
        return CondText.of(file, raw, s);
    }

    // ------------------------------------------------------------------ rules

    private void rule(Doc.Mapping m, String file, String raw) {
        String name = m.get("rule").get().asText("rule");
        String what = "rule '" + name + "'";
        for (String k : m.entries().keySet()) {
            if (!RULE_KEYS.contains(k)) warnings.add(m.keyWhere().get(k) + ": " + what + ": unknown key '" + k + "' ignored");
        }
        RuleDef old = rules.get(name);
        boolean legacyAppend = m.get("append").isPresent() && m.get("append").get().asBool("append");
        if (m.get("override").isPresent()) {
            if (old == null) throw Doc.error(m.where(), what + ": override of a rule that is not defined", "define the rule first, or load its file earlier");
            Doc.Mapping o = m.get("override").get().asMap("override");
            for (var e : o.entries().entrySet()) {
                String key = e.getKey();
                String how = e.getValue().asText("override." + key);
                String at = o.keyWhere().get(key);
                if (how.equals("append") && !APPENDABLE.contains(key) || how.equals("replace") && !REPLACEABLE.contains(key)
                        || !how.equals("append") && !how.equals("replace")) {
                    throw Doc.error(at, what + ": cannot " + how + " '" + key + "'", "append: " + new TreeSet<>(APPENDABLE) + "; replace: " + new TreeSet<>(REPLACEABLE));
                }
                Doc value = m.get(key).orElseThrow(() -> Doc.error(at, what + ": override names '" + key + "' but the item has no " + key,
                        "add '" + key + ": ...'"));
                apply(old, key, value, how.equals("append"), file, raw, what);
            }
            return;
        }
        if (legacyAppend) {
            if (old == null) throw Doc.error(m.where(), what + ": append to a rule that is not defined", "define the rule first, or load its file earlier");
            for (String k : List.of("condition", "exceptions", "output", "desc", "tags")) {
                if (m.get(k).isPresent()) apply(old, k, m.get(k).get(), true, file, raw, what);
            }
            return;
        }
        if (old != null && m.get("condition").isEmpty() && m.get("enabled").isPresent()) {
            old.enabled = m.get("enabled").get().asBool("enabled"); // the short form that only (dis)ables a rule
            return;
        }
        RuleDef r = new RuleDef();
        r.name = name;
        r.where = m.where();
        for (String k : List.of("condition", "output", "desc", "priority")) {
            if (m.get(k).isEmpty()) throw Doc.error(m.where(), what + " has no " + k, "add '" + k + ": ...'");
        }
        for (var e : m.entries().entrySet()) {
            if (!e.getKey().equals("rule") && REPLACEABLE.contains(e.getKey())) apply(r, e.getKey(), e.getValue(), false, file, raw, what);
        }
        rules.remove(name); // a redefinition takes the place of the old one at the end
        rules.put(name, r);
    }

    private void apply(RuleDef r, String key, Doc v, boolean append, String file, String raw, String what) {
        switch (key) {
            case "condition" -> {
                CondText t = condText(v, file, raw, what);
                r.condition = append && r.condition != null ? r.condition.append(t) : t;
            }
            case "output" -> {
                String t = v.asText(what + " output");
                r.output = append && r.output != null ? r.output + " " + t : t;
                r.outputWhere = v.where();
            }
            case "desc" -> {
                String t = v instanceof Doc.Scalar s && s.isNull() ? "" : v.asText(what + " desc");
                r.desc = append ? (r.desc + " " + t).trim() : t;
            }
            case "priority" -> r.priority = Priority.parse(v.asText(what + " priority")).orElseThrow(() -> Doc.error(v.where(),
                    what + ": unknown priority '" + v.asText("priority") + "'",
                    "use emergency, alert, critical, error, warning, notice, informational or debug"));
            case "tags" -> {
                List<String> t = new ArrayList<>();
                if (!(v instanceof Doc.Scalar s && s.isNull())) for (Doc.Scalar s : v.asScalars(what + " tags")) t.add(s.text());
                if (!append) r.tags = new ArrayList<>();
                r.tags.addAll(t);
            }
            case "enabled" -> r.enabled = v.asBool(what + " enabled");
            case "source" -> r.source = v.asText(what + " source");
            case "skip-if-unknown-filter" -> r.skipIfUnknown = v.asBool(what + " skip-if-unknown-filter");
            case "exceptions" -> exceptions(r, v, append, file, what);
            default -> { } // warn_evttypes, capture, capture_duration: accepted, no effect here
        }
    }

    private void exceptions(RuleDef r, Doc v, boolean append, String file, String what) {
        if (!append) r.exceptions.clear();
        if (v instanceof Doc.Scalar s && s.isNull()) return;
        if (!(v instanceof Doc.Seq q)) throw Doc.error(v.where(), what + ": exceptions must be a list", "start each exception with '- name:'");
        for (Doc d : q.items()) {
            Doc.Mapping m = d.asMap(what + " exception");
            String name = m.get("name").orElseThrow(() -> Doc.error(m.where(), what + ": an exception has no name", "add 'name: ...'"))
                    .asText("exception name");
            String ew = what + ", exception '" + name + "'";
            List<Doc> values = new ArrayList<>();
            m.get("values").ifPresent(x -> {
                if (x instanceof Doc.Seq vs) values.addAll(vs.items());
                else if (!(x instanceof Doc.Scalar s && s.isNull())) throw Doc.error(x.where(), ew + ": values must be a list", "write values: [[a, b]]");
            });
            ExceptionDef old = r.exceptions.get(name);
            if (m.get("fields").isEmpty()) {
                if (old == null) throw Doc.error(m.where(), ew + " has no fields", "add 'fields: [proc.name, fd.name]'");
                old.values().addAll(values);
                continue;
            }
            Doc fd = m.get("fields").get();
            boolean single = fd instanceof Doc.Scalar;
            List<String> fields = new ArrayList<>();
            for (Doc.Scalar s : fd.asScalars(ew + " fields")) fields.add(s.text());
            List<String> comps = new ArrayList<>();
            if (m.get("comps").isPresent()) {
                for (Doc.Scalar s : m.get("comps").get().asScalars(ew + " comps")) comps.add(s.text());
            } else {
                for (int i = 0; i < fields.size(); i++) comps.add(single ? "in" : "=");
            }
            if (comps.size() != fields.size()) {
                throw Doc.error(m.where(), ew + ": " + fields.size() + " fields but " + comps.size() + " comps", "give one comp per field");
            }
            for (int i = 0; i < comps.size(); i++) {
                String c = comps.get(i);
                if (!ConditionParser.BINARY.contains(c) && !ConditionParser.LIST.contains(c)) {
                    throw Doc.error(m.where(), ew + ": unknown comp '" + c + "'", "use =, !=, in, startswith, contains, pmatch...");
                }
            }
            if (old != null && append) {
                old.values().addAll(values);
            } else {
                r.exceptions.put(name, new ExceptionDef(name, fields, comps, single, values, file, m));
            }
        }
    }

    // ------------------------------------------------------------------ compiling

    /** Resolves lists and macros and compiles every enabled rule. */
    public RuleSet build() {
        Map<String, List<String>> resolved = new LinkedHashMap<>();
        for (String n : lists.keySet()) resolved.put(n, expand(n, new LinkedHashSet<>()));
        Map<String, Compiler.Macro> ms = new LinkedHashMap<>();
        for (var e : macros.entrySet()) {
            ms.put(e.getKey(), new Compiler.Macro(e.getKey(), e.getValue(), ConditionParser.parse(e.getValue(), "macro '" + e.getKey() + "'")));
        }
        Compiler compiler = new Compiler(ms, resolved);
        List<Rule> out = new ArrayList<>();
        List<RuleSet.Skipped> skipped = new ArrayList<>();
        List<String> warn = new ArrayList<>(warnings);
        for (RuleDef r : rules.values()) {
            if (!r.enabled) continue;
            String what = "rule '" + r.name + "'";
            if (!r.source.equals("syscall")) {
                skipped.add(new RuleSet.Skipped(r.name, r.where, "source " + r.source + ": taskscope has only syscall events"));
                warn.add(r.where + ": " + what + " not loaded: source " + r.source + " (taskscope has only syscall events)");
                continue;
            }
            Ast cond = ConditionParser.parse(r.condition, what);
            Filter f;
            try {
                f = compiler.compile(cond, r.condition, what);
                for (ExceptionDef e : r.exceptions.values()) {
                    Filter ex = exception(e, resolved, compiler, what);
                    if (ex != null) f = Filter.and(List.of(f, Filter.not(ex)));
                }
            } catch (Compiler.UnsupportedField u) {
                skipped.add(new RuleSet.Skipped(r.name, r.where, "field " + u.field + ": " + u.reason));
                warn.add(r.where + ": " + what + " not loaded: it uses " + u.field + " (" + u.reason + ")");
                continue;
            }
            Output output;
            try {
                output = Output.parse(r.output);
            } catch (IllegalArgumentException e) {
                throw Doc.error(r.outputWhere, what + " output: " + e.getMessage(), "see docs/rules.md for the fields taskscope fills");
            }
            for (String u : output.unfilled()) warn.add(r.outputWhere + ": " + what + " output: " + u);
            Set<String> types = compiler.eventTypes(cond);
            if (types != null) {
                Set<String> usable = new LinkedHashSet<>();
                for (String t : types) {
                    if (RuleRequirements.LIFECYCLE_TYPES.contains(t) || knownSyscall.test(t)) {
                        usable.add(t);
                    } else {
                        warn.add(r.where + ": " + what + ": event type '" + t + "' never happens on taskscope");
                    }
                }
                if (usable.isEmpty()) {
                    skipped.add(new RuleSet.Skipped(r.name, r.where, "none of its event types " + types + " happens on taskscope"));
                    continue;
                }
                types = usable;
            } else {
                warn.add(r.where + ": " + what + ": its condition names no evt.type, so it is tested on every event and needs every syscall traced");
            }
            out.add(new Rule(r.name, r.priority, r.desc, List.copyOf(new TreeSet<>(r.tags)), r.where, types,
                    compiler.containers(cond), f, output));
        }
        return new RuleSet(out, skipped, warn, required);
    }

    private List<String> expand(String name, Set<String> seen) {
        List<String> out = new ArrayList<>();
        if (!seen.add(name)) return out;
        for (String item : lists.get(name)) {
            if (lists.containsKey(item) && !item.equals(name)) {
                out.addAll(expand(item, seen));
            } else {
                out.add(item);
            }
        }
        seen.remove(name);
        return out;
    }

    /** An exception as a condition: any of its value tuples, each tuple all of its field comparisons. */
    private Filter exception(ExceptionDef e, Map<String, List<String>> lists, Compiler compiler, String what) {
        if (e.values().isEmpty()) return null;
        Doc.Mapping at = e.at();
        String w = what + ", exception '" + e.name() + "'";
        List<Ast> tuples = new ArrayList<>();
        if (e.single()) {
            String comp = e.comps().get(0);
            List<Ast.Value> vals = new ArrayList<>();
            for (Doc d : e.values()) for (Doc.Scalar s : d.asScalars(w + " values")) vals.add(new Ast.Value(s.text(), false, 0));
            if (ConditionParser.LIST.contains(comp)) {
                tuples.add(check(e.fields().get(0), comp, vals, true));
            } else {
                for (Ast.Value v : vals) tuples.add(check(e.fields().get(0), comp, List.of(v), false));
            }
        } else {
            for (Doc d : e.values()) {
                if (!(d instanceof Doc.Seq tuple) || tuple.items().size() != e.fields().size()) {
                    throw Doc.error(d.where(), w + ": each value must be a list of " + e.fields().size() + " items, one per field",
                            "write e.g. - [" + String.join(", ", e.fields().stream().map(x -> "value").toList()) + "]");
                }
                List<Ast> checks = new ArrayList<>();
                for (int i = 0; i < e.fields().size(); i++) {
                    String comp = e.comps().get(i);
                    boolean list = ConditionParser.LIST.contains(comp);
                    List<Ast.Value> vals = new ArrayList<>();
                    for (Doc.Scalar s : tuple.items().get(i).asScalars(w + " value")) vals.add(new Ast.Value(s.text(), false, 0));
                    checks.add(check(e.fields().get(i), comp, vals, list));
                }
                tuples.add(new Ast.And(checks, 0));
            }
        }
        String where = at.where();
        int colon = where.lastIndexOf(':');
        int line = colon < 0 ? 0 : Integer.parseInt(where.substring(colon + 1));
        CondText src = CondText.at(e.file(), line, 1, " ");
        return compiler.compile(new Ast.Or(tuples, 0), src, w);
    }

    private static Ast check(String field, String comp, List<Ast.Value> values, boolean list) {
        String name = field;
        String arg = null;
        int b = field.indexOf('[');
        if (b > 0 && field.endsWith("]")) {
            name = field.substring(0, b);
            arg = field.substring(b + 1, field.length() - 1);
        }
        return new Ast.Check(name, arg, comp, list ? values : values.subList(0, Math.min(1, values.size())), list, 0);
    }

    /** Loads the shipped rules (unless {@code defaults} is false) and then each file, in order. */
    public static RuleSet load(boolean defaults, List<Path> files, Predicate<String> knownSyscall) {
        RuleLoader l = new RuleLoader(knownSyscall);
        if (defaults) l.addDefaults();
        for (Path f : files) l.addFile(f);
        return l.build();
    }
}
