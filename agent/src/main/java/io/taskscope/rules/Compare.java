package io.taskscope.rules;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code field op value(s)} check with its values prepared at load time. A field without a value
 * for the event fails every operator (so {@code not} of it holds), as in Falco. A field over every
 * ancestor ({@code proc.aname}) matches when any ancestor does; with {@code !=}, when none is equal.
 */
final class Compare implements Filter {
    private final Fields.Ref ref;
    private final String op;
    private final Fields.Type type;
    private final String str;
    private final String lower;
    private final long num;
    private final Set<Object> set;
    private final Pattern glob;
    private final List<String> prefixes;

    /** @throws IllegalArgumentException with the problem, for the caller to place in the file */
    Compare(Fields.Ref ref, String op, List<String> values) {
        this.ref = ref;
        this.op = op.equals("==") ? "=" : op;
        this.type = ref.def().type();
        String first = values.isEmpty() ? null : values.get(0);
        boolean listOp = ConditionParser.LIST.contains(this.op);
        switch (this.op) {
            case "<", "<=", ">", ">=" -> {
                if (type != Fields.Type.NUMBER) throw new IllegalArgumentException("'" + op + "' needs a numeric field; " + ref.label() + " is text");
            }
            case "contains", "icontains", "startswith", "endswith", "glob", "pmatch" -> {
                if (type == Fields.Type.BOOL) throw new IllegalArgumentException("'" + op + "' does not apply to the true/false field " + ref.label());
            }
            default -> { }
        }
        this.str = first;
        this.lower = first == null ? null : first.toLowerCase(Locale.ROOT);
        long n = 0;
        if (type == Fields.Type.NUMBER && first != null && !listOp && !this.op.equals("contains") && !this.op.startsWith("i")
                && !this.op.equals("startswith") && !this.op.equals("endswith") && !this.op.equals("glob")) {
            n = parseNumber(first);
        }
        this.num = n;
        if (type == Fields.Type.BOOL && first != null && !listOp) parseBool(first);
        if (listOp && !this.op.equals("pmatch")) {
            Set<Object> s = new HashSet<>();
            for (String v : values) {
                s.add(switch (type) {
                    case NUMBER -> parseNumber(v);
                    case BOOL -> parseBool(v);
                    default -> v;
                });
            }
            this.set = s;
        } else {
            this.set = null;
        }
        this.glob = this.op.equals("glob") ? globPattern(first) : null;
        this.prefixes = this.op.equals("pmatch") ? List.copyOf(values) : null;
    }

    @Override
    public boolean test(EventContext c) {
        Object v = ref.value(c);
        if (v == null) return false;
        if (op.equals("exists")) return true;
        if (v instanceof List<?> l) {
            if (op.equals("!=")) {
                for (Object x : l) if (!one(x, "!=")) return false;
                return !l.isEmpty();
            }
            for (Object x : l) if (one(x, op)) return true;
            return false;
        }
        return one(v, op);
    }

    private boolean one(Object v, String o) {
        if (v instanceof Long x) {
            return switch (o) {
                case "=" -> x == num;
                case "!=" -> x != num;
                case "<" -> x < num;
                case "<=" -> x <= num;
                case ">" -> x > num;
                case ">=" -> x >= num;
                case "in", "intersects" -> set.contains(x);
                default -> text(Long.toString(x), o);
            };
        }
        if (v instanceof Boolean b) {
            return switch (o) {
                case "=" -> b == parseBool(str);
                case "!=" -> b != parseBool(str);
                case "in", "intersects" -> set.contains(b);
                default -> false;
            };
        }
        return text(v.toString(), o);
    }

    private boolean text(String s, String o) {
        return switch (o) {
            case "=" -> s.equals(str);
            case "!=" -> !s.equals(str);
            case "contains" -> s.contains(str);
            case "icontains" -> s.toLowerCase(Locale.ROOT).contains(lower);
            case "startswith" -> s.startsWith(str);
            case "endswith" -> s.endsWith(str);
            case "glob" -> glob.matcher(s).matches();
            case "in", "intersects" -> set.contains(s);
            case "pmatch" -> pmatch(s);
            default -> false;
        };
    }

    /** Falco's pmatch: the path is one of the prefixes or below one of them (whole components). */
    private boolean pmatch(String s) {
        for (String p : prefixes) {
            if (s.equals(p)) return true;
            if (p.endsWith("/") ? s.startsWith(p) : s.startsWith(p) && s.length() > p.length() && s.charAt(p.length()) == '/') {
                return true;
            }
        }
        return false;
    }

    private static long parseNumber(String v) {
        try {
            return v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a number");
        }
    }

    private static boolean parseBool(String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("'" + v + "' is not true or false");
    }

    /** fnmatch without FNM_PATHNAME, as Falco's glob: '*' also crosses '/'. */
    static Pattern globPattern(String g) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                case '[' -> {
                    int close = g.indexOf(']', i + 2);
                    if (close < 0) {
                        b.append("\\[");
                    } else {
                        String cls = g.substring(i + 1, close);
                        if (cls.startsWith("!")) cls = "^" + cls.substring(1);
                        b.append('[').append(cls.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                        i = close;
                    }
                }
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString(), Pattern.DOTALL);
    }
}
