package io.taskscope.rules;

import java.util.List;

/** A parsed Falco condition, before macros and lists are resolved. {@code pos} is an offset into its {@link CondText}. */
sealed interface Ast {
    int pos();

    record And(List<Ast> items, int pos) implements Ast {}

    record Or(List<Ast> items, int pos) implements Ast {}

    record Not(Ast item, int pos) implements Ast {}

    /** {@code field op values}; values are empty for {@code exists}, one for a binary operator, any for a list operator. */
    record Check(String field, String arg, String op, List<Value> values, boolean listValue, int pos) implements Ast {}

    /** A bare identifier: a macro. */
    record MacroRef(String name, int pos) implements Ast {}

    /** @param quoted quoted values are never list names */
    record Value(String text, boolean quoted, int pos) {}
}
