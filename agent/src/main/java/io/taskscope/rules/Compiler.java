package io.taskscope.rules;

import io.taskscope.TaskscopeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns parsed conditions into {@link Filter}s: macros are inlined, list names in list values expanded,
 * fields looked up, values checked against the field's type. Also derives, per condition, the event
 * types and containers it can match (Falco's evttype resolution), for the rule index and the agent's
 * choice of what to trace.
 */
final class Compiler {
    /** A macro: its text (for positions) and its parsed condition. */
    record Macro(String name, CondText text, Ast ast) {}

    /** A field the engine cannot fill: the rule that uses it is not loaded. */
    static final class UnsupportedField extends RuntimeException {
        final String field;
        final String reason;

        UnsupportedField(String field, String reason) {
            super(field + ": " + reason, null, false, false);
            this.field = field;
            this.reason = reason;
        }
    }

    private final Map<String, Macro> macros;
    private final Map<String, List<String>> lists;
    private final Deque<String> expanding = new ArrayDeque<>();

    Compiler(Map<String, Macro> macros, Map<String, List<String>> lists) {
        this.macros = macros;
        this.lists = lists;
    }

    Filter compile(Ast a, CondText src, String what) {
        if (a instanceof Ast.And and) {
            List<Filter> fs = new ArrayList<>();
            for (Ast x : and.items()) fs.add(compile(x, src, what));
            return Filter.and(fs);
        }
        if (a instanceof Ast.Or or) {
            List<Filter> fs = new ArrayList<>();
            for (Ast x : or.items()) fs.add(compile(x, src, what));
            return Filter.or(fs);
        }
        if (a instanceof Ast.Not not) return Filter.not(compile(not.item(), src, what));
        if (a instanceof Ast.MacroRef m) {
            Macro macro = macro(m, src, what);
            expanding.push(m.name());
            try {
                return compile(macro.ast(), macro.text(), "macro '" + m.name() + "'");
            } finally {
                expanding.pop();
            }
        }
        Ast.Check c = (Ast.Check) a;
        Fields.Ref ref = ref(c, src, what);
        List<String> values = values(c, src, what);
        try {
            return new Compare(ref, c.op(), values);
        } catch (IllegalArgumentException e) {
            int at = c.values().isEmpty() ? c.pos() : c.values().get(0).pos();
            throw error(src, at, what, ref.label() + " " + c.op() + ": " + e.getMessage(), "fix the value or the operator");
        }
    }

    private Macro macro(Ast.MacroRef m, CondText src, String what) {
        Macro macro = macros.get(m.name());
        if (macro == null) {
            if (lists.containsKey(m.name())) {
                throw error(src, m.pos(), what, "'" + m.name() + "' is a list, not a condition", "write e.g. proc.name in (" + m.name() + ")");
            }
            throw error(src, m.pos(), what, "undefined macro '" + m.name() + "'", "define it with '- macro: " + m.name() + "' or fix the name");
        }
        if (expanding.contains(m.name())) {
            throw error(src, m.pos(), what, "macro '" + m.name() + "' refers to itself (through " + String.join(" <- ", expanding) + ")",
                    "break the cycle");
        }
        return macro;
    }

    private Fields.Ref ref(Ast.Check c, CondText src, String what) {
        Fields.Lookup l = Fields.lookup(c.field(), c.arg());
        if (l instanceof Fields.Found f) return f.ref();
        if (l instanceof Fields.Unsupported u) throw new UnsupportedField(c.arg() == null ? c.field() : c.field() + "[" + c.arg() + "]", u.reason());
        throw error(src, c.pos(), what, ((Fields.Unknown) l).reason(), "see docs/rules.md for the fields taskscope fills");
    }

    private List<String> values(Ast.Check c, CondText src, String what) {
        if (!c.listValue()) {
            List<String> out = new ArrayList<>();
            for (Ast.Value v : c.values()) out.add(v.text());
            return out;
        }
        return expand(c.values(), new ArrayList<>());
    }

    /** The values, each unquoted list name replaced by the list's items. */
    private <C extends java.util.Collection<String>> C expand(List<Ast.Value> values, C out) {
        for (Ast.Value v : values) {
            if (!v.quoted() && lists.containsKey(v.text())) {
                out.addAll(lists.get(v.text()));
            } else {
                out.add(v.text());
            }
        }
        return out;
    }

    static TaskscopeException error(CondText src, int at, String what, String problem, String fix) {
        return TaskscopeException.runtime(src.where(at) + ": " + what + ": " + problem, fix);
    }

    // ------------------------------------------------------------------ what a condition can match

    /** The evt.type values the condition can match, or null for any type. */
    Set<String> eventTypes(Ast a) {
        return values(a, "evt.type", new HashSet<>());
    }

    /** The container names the condition can match (container.name = / in), or null for any. */
    Set<String> containers(Ast a) {
        return values(a, "container.name", new HashSet<>());
    }

    private Set<String> values(Ast a, String field, Set<String> seen) {
        if (a instanceof Ast.And and) {
            Set<String> out = null;
            for (Ast x : and.items()) {
                Set<String> s = values(x, field, seen);
                if (s == null) continue;
                if (out == null) {
                    out = new LinkedHashSet<>(s);
                } else {
                    out.retainAll(s);
                }
            }
            return out;
        }
        if (a instanceof Ast.Or or) {
            Set<String> out = new LinkedHashSet<>();
            for (Ast x : or.items()) {
                Set<String> s = values(x, field, seen);
                if (s == null) return null;
                out.addAll(s);
            }
            return out;
        }
        if (a instanceof Ast.Not) return null;
        if (a instanceof Ast.MacroRef m) {
            Macro macro = macros.get(m.name());
            if (macro == null || !seen.add(m.name())) return null;
            try {
                return values(macro.ast(), field, seen);
            } finally {
                seen.remove(m.name());
            }
        }
        Ast.Check c = (Ast.Check) a;
        if (!c.field().equals(field) || c.arg() != null) return null;
        if (c.op().equals("=") || c.op().equals("==") || c.op().equals("in")) {
            return expand(c.values(), new LinkedHashSet<>());
        }
        return null;
    }
}
