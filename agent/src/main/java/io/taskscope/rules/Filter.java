package io.taskscope.rules;

import java.util.List;

/** A compiled condition. */
@FunctionalInterface
interface Filter {
    boolean test(EventContext c);

    Filter TRUE = c -> true;

    static Filter and(List<Filter> fs) {
        Filter[] a = fs.toArray(new Filter[0]);
        return c -> {
            for (Filter f : a) if (!f.test(c)) return false;
            return true;
        };
    }

    static Filter or(List<Filter> fs) {
        Filter[] a = fs.toArray(new Filter[0]);
        return c -> {
            for (Filter f : a) if (f.test(c)) return true;
            return false;
        };
    }

    static Filter not(Filter f) {
        return c -> !f.test(c);
    }
}
