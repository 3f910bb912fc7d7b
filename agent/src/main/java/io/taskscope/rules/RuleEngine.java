package io.taskscope.rules;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import java.util.List;

/**
 * Evaluates rules on one thread, off the tracer's: keeps the {@link ProcessTree} in event order, builds
 * each event's {@link EventContext} and tests it against the rules indexed for its type.
 */
public final class RuleEngine {
    private final RuleSet rules;
    private final RuleEnv env;
    private final ProcessTree tree;
    private final boolean indexed;
    private long num;

    public RuleEngine(RuleSet rules, RuleEnv env, ProcessTree.Loader loader) {
        this(rules, env, loader, true);
    }

    /** @param indexed false tests every rule on every event (only for the benchmark's comparison) */
    public RuleEngine(RuleSet rules, RuleEnv env, ProcessTree.Loader loader, boolean indexed) {
        this.rules = rules;
        this.env = env;
        this.tree = new ProcessTree(loader);
        this.indexed = indexed;
    }

    /** The alerts the event raises, in rule order. Alerts and drop reports raise none. Not thread-safe. */
    public List<AlertEvent> accept(Event e) {
        String type = EventContext.typeOf(e);
        ProcessTree.Proc p = tree.before(e);
        try {
            if (type == null || rules.size() == 0) return List.of();
            return rules.evaluate(new EventContext(e, type, p, tree, env, ++num), indexed);
        } finally {
            tree.after(e);
        }
    }

    public ProcessTree tree() {
        return tree;
    }

    public RuleSet rules() {
        return rules;
    }
}
