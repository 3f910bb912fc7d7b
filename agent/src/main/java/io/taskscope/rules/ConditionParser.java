package io.taskscope.rules;

import io.taskscope.TaskscopeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Falco's condition grammar, written from its documentation:
 *
 * <pre>
 * expr    := and ('or' and)*
 * and     := not ('and' not)*
 * not     := 'not' not | check
 * check   := '(' expr ')' | macro | field op
 * field   := name ('[' arg ']')?            proc.aname[2], evt.arg.flags, evt.arg[0]
 * op      := 'exists'
 *          | ('=' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'icontains' | 'bcontains'
 *             | 'startswith' | 'bstartswith' | 'endswith' | 'glob' | 'regex') value
 *          | ('in' | 'intersects' | 'pmatch') ('(' value (',' value)* ')' | listname)
 * value   := "quoted" | 'quoted' | bare characters up to a blank, ',' or a parenthesis
 * </pre>
 *
 * Every error names the file, line and column of the offending character.
 */
final class ConditionParser {
    static final Set<String> BINARY = Set.of("=", "==", "!=", "<", "<=", ">", ">=", "contains", "icontains",
            "bcontains", "startswith", "bstartswith", "endswith", "glob", "regex");
    static final Set<String> LIST = Set.of("in", "intersects", "pmatch");

    private final CondText src;
    private final String s;
    private final String what;
    private int i;

    private ConditionParser(CondText src, String what) {
        this.src = src;
        this.s = src.text;
        this.what = what;
    }

    /** @param what names the owner in errors: "rule 'Shell in container'" */
    static Ast parse(CondText text, String what) {
        ConditionParser p = new ConditionParser(text, what);
        p.ws();
        if (p.i >= p.s.length()) throw p.error(p.i, "the condition is empty", "write a condition, e.g. evt.type = execve");
        Ast a = p.or();
        p.ws();
        if (p.i < p.s.length()) {
            throw p.error(p.i, "unexpected '" + p.word() + "'", "join conditions with 'and' or 'or', and check the parentheses");
        }
        return a;
    }

    private Ast or() {
        int at = i;
        List<Ast> items = new ArrayList<>();
        items.add(and());
        while (keyword("or")) items.add(and());
        return items.size() == 1 ? items.get(0) : new Ast.Or(items, at);
    }

    private Ast and() {
        int at = i;
        List<Ast> items = new ArrayList<>();
        items.add(not());
        while (keyword("and")) items.add(not());
        return items.size() == 1 ? items.get(0) : new Ast.And(items, at);
    }

    private Ast not() {
        ws();
        int at = i;
        if (keyword("not")) return new Ast.Not(not(), at);
        return check();
    }

    private Ast check() {
        ws();
        int at = i;
        if (at >= s.length()) throw error(at, "the condition ends where a field, a macro or '(' was expected", "complete the condition");
        if (s.charAt(at) == '(') {
            i++;
            Ast inner = or();
            ws();
            if (i >= s.length() || s.charAt(i) != ')') {
                throw error(i, i >= s.length() ? "missing ')' for the '(' at " + src.where(at) : "expected ')' but found '" + word() + "'",
                        "close the parenthesis");
            }
            i++;
            return inner;
        }
        String name = identifier();
        if (name == null) {
            throw error(at, "expected a field, a macro or '(' but found '" + word() + "'", "check the syntax near this point");
        }
        if (name.equals("and") || name.equals("or")) {
            throw error(at, "'" + name + "' needs a condition before it", "remove it or add the missing condition");
        }
        String arg = null;
        if (i < s.length() && s.charAt(i) == '[') {
            int close = s.indexOf(']', i);
            if (close < 0) throw error(i, "missing ']' after the field argument", "write e.g. proc.aname[2]");
            arg = s.substring(i + 1, close).trim();
            i = close + 1;
        }
        if (name.indexOf('.') < 0 && arg == null) {
            int save = i;
            ws();
            String op = peekOperator();
            i = save;
            if (op == null) return new Ast.MacroRef(name, at);
            if (i < s.length() && s.charAt(i) == '(') {
                throw error(at, "'" + name + "(...)' : field transformers are not supported", "compare the field itself");
            }
        }
        ws();
        int opAt = i;
        String op = operator();
        if (op == null) {
            throw error(opAt, "field " + name + " needs an operator (=, !=, in, contains, startswith, exists...)"
                    + (i < s.length() ? " but found '" + word() + "'" : ""), "add an operator and a value");
        }
        if (op.equals("exists")) return new Ast.Check(name, arg, op, List.of(), false, at);
        ws();
        if (LIST.contains(op)) return new Ast.Check(name, arg, op, listValue(op), true, at);
        return new Ast.Check(name, arg, op, List.of(value(op)), false, at);
    }

    private List<Ast.Value> listValue(String op) {
        int at = i;
        if (i < s.length() && s.charAt(i) == '(') {
            i++;
            List<Ast.Value> out = new ArrayList<>();
            ws();
            if (i < s.length() && s.charAt(i) == ')') {
                i++;
                return out;
            }
            while (true) {
                ws();
                out.add(item(op));
                ws();
                if (i >= s.length()) throw error(at, "missing ')' to close the list opened here", "close the list");
                char c = s.charAt(i);
                if (c == ',') {
                    i++;
                } else if (c == ')') {
                    i++;
                    return out;
                } else {
                    throw error(i, "expected ',' or ')' in the list but found '" + word() + "'", "separate list items with commas");
                }
            }
        }
        String name = identifier();
        if (name == null) throw error(at, "'" + op + "' needs a list: (a, b) or a list name", "write e.g. proc.name in (bash, sh)");
        return List.of(new Ast.Value(name, false, at));
    }

    private Ast.Value item(String op) {
        int at = i;
        if (i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '\'')) return new Ast.Value(quoted(), true, at);
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "(),".indexOf(s.charAt(i)) < 0) i++;
        if (i == at) throw error(at, "empty item in the list of '" + op + "'", "remove the extra comma");
        return new Ast.Value(s.substring(at, i), false, at);
    }

    private Ast.Value value(String op) {
        int at = i;
        if (at >= s.length()) throw error(at, "'" + op + "' needs a value", "add a value after it");
        char c = s.charAt(at);
        if (c == '"' || c == '\'') return new Ast.Value(quoted(), true, at);
        if (c == '(') throw error(at, "'" + op + "' takes one value, not a list", "use 'in' for a list of values");
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "(),".indexOf(s.charAt(i)) < 0) i++;
        if (i == at) throw error(at, "'" + op + "' needs a value but found '" + word() + "'", "add a value after it");
        return new Ast.Value(s.substring(at, i), false, at);
    }

    private String quoted() {
        int at = i;
        char q = s.charAt(i++);
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == q) return b.toString();
            if (c == '\\' && i < s.length() && (s.charAt(i) == q || s.charAt(i) == '\\')) {
                b.append(s.charAt(i++));
            } else {
                b.append(c);
            }
        }
        throw error(at, "unterminated string", "close the quote " + q);
    }

    private String peekOperator() {
        int save = i;
        String op = operator();
        i = save;
        return op;
    }

    private String operator() {
        if (i >= s.length()) return null;
        for (String op : new String[] {"==", "!=", "<=", ">=", "=", "<", ">"}) {
            if (s.startsWith(op, i)) {
                i += op.length();
                return op;
            }
        }
        int at = i;
        while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
        String w = s.substring(at, i);
        if ((BINARY.contains(w) || LIST.contains(w) || w.equals("exists")) && (i >= s.length() || !identChar(s.charAt(i)))) {
            return w;
        }
        i = at;
        return null;
    }

    private boolean keyword(String kw) {
        ws();
        if (!s.startsWith(kw, i)) return false;
        int end = i + kw.length();
        if (end < s.length() && identChar(s.charAt(end))) return false;
        i = end;
        return true;
    }

    private String identifier() {
        int at = i;
        if (i >= s.length() || !(Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) return null;
        while (i < s.length() && (identChar(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '-')) i++;
        while (i > at && (s.charAt(i - 1) == '.' || s.charAt(i - 1) == '-')) i--;
        return s.substring(at, i);
    }

    private static boolean identChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    /** The text at the cursor up to the next blank, for messages. */
    private String word() {
        int e = i;
        while (e < s.length() && !Character.isWhitespace(s.charAt(e)) && e - i < 30) e++;
        return e == i && i < s.length() ? s.substring(i, i + 1) : s.substring(i, e);
    }

    private TaskscopeException error(int at, String problem, String fix) {
        return TaskscopeException.runtime(src.where(at) + ": " + what + ": " + problem, fix);
    }
}
