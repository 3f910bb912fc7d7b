package io.taskscope.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule's output: text with {@code %field} (also {@code %proc.aname[2]}, {@code %evt.arg.flags}) replaced by
 * the event's values. A field without a value prints as {@code <NA>}, as in Falco; so does a Falco field
 * taskscope cannot fill (k8s.*), which leaves the rule loaded, since only its message lacks it.
 */
final class Output {
    private final List<Object> parts; // String literal or Fields.Ref or String[] {name} for unfillable
    private final List<String> unfilled;

    private Output(List<Object> parts, List<String> unfilled) {
        this.parts = parts;
        this.unfilled = unfilled;
    }

    /** "k8s.pod.name (why)" for each field the output names that taskscope cannot fill. */
    List<String> unfilled() {
        return unfilled;
    }

    /** @throws IllegalArgumentException naming an unknown field and its offset */
    static Output parse(String text) {
        List<Object> parts = new ArrayList<>();
        List<String> unfilled = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            boolean paren = c == '%' && i + 1 < text.length() && text.charAt(i + 1) == '(';
            if (c != '%' || i + 1 >= text.length() || !(Character.isLetter(text.charAt(i + 1)) || paren)) {
                lit.append(c);
                i++;
                continue;
            }
            int start = paren ? i + 2 : i + 1;
            int e = start;
            while (e < text.length() && (Character.isLetterOrDigit(text.charAt(e)) || text.charAt(e) == '_' || text.charAt(e) == '.')) e++;
            while (e > start && text.charAt(e - 1) == '.') e--;
            String name = text.substring(start, e);
            String arg = null;
            if (e < text.length() && text.charAt(e) == '[') {
                int close = text.indexOf(']', e);
                if (close > 0) {
                    arg = text.substring(e + 1, close);
                    e = close + 1;
                }
            }
            if (paren) {
                if (e < text.length() && text.charAt(e) == ')') e++;
            }
            Fields.Lookup l = Fields.lookup(name, arg);
            if (l instanceof Fields.Unknown u) throw new IllegalArgumentException(u.reason() + " at %" + name);
            if (l instanceof Fields.Unsupported u) unfilled.add(name + " prints <NA> (" + u.reason() + ")");
            if (lit.length() > 0) {
                parts.add(lit.toString());
                lit.setLength(0);
            }
            parts.add(l instanceof Fields.Found f ? f.ref() : new String[] {arg == null ? name : name + "[" + arg + "]"});
            i = e;
        }
        if (lit.length() > 0) parts.add(lit.toString());
        return new Output(parts, List.copyOf(unfilled));
    }

    String render(EventContext c, Map<String, Object> fields) {
        StringBuilder b = new StringBuilder();
        for (Object p : parts) {
            if (p instanceof String s) {
                b.append(s);
            } else if (p instanceof Fields.Ref r) {
                Object v = r.value(c);
                if (v instanceof List<?> l) v = l.isEmpty() ? null : String.join(",", l.stream().map(Object::toString).toList());
                fields.put(r.label(), v);
                b.append(v == null ? "<NA>" : v.toString());
            } else {
                String name = ((String[]) p)[0];
                fields.put(name, null);
                b.append("<NA>");
            }
        }
        return b.toString();
    }

    Map<String, Object> newFields() {
        return new LinkedHashMap<>();
    }
}
