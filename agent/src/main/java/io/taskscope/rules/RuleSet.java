package io.taskscope.rules;

import io.taskscope.event.AlertEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loaded rules, indexed by event type as Falco's ruleset is: an event is tested only against the rules
 * whose condition can match its type (plus the few that can match any type), in load order.
 */
public final class RuleSet {
    public static final RuleSet EMPTY = new RuleSet(List.of(), List.of(), List.of(), List.of());

    /** A rule that was not loaded, and why. */
    public record Skipped(String name, String source, String reason) {}

    private final List<Rule> rules;
    private final List<Skipped> skipped;
    private final List<String> warnings;
    private final List<String> required;
    private final Map<String, Rule[]> byType = new HashMap<>();
    private final Rule[] anyType;

    RuleSet(List<Rule> rules, List<Skipped> skipped, List<String> warnings, List<String> required) {
        this.rules = List.copyOf(rules);
        this.skipped = List.copyOf(skipped);
        this.warnings = List.copyOf(warnings);
        this.required = List.copyOf(required);
        Set<String> types = new LinkedHashSet<>();
        for (Rule r : rules) if (r.eventTypes() != null) types.addAll(r.eventTypes());
        List<Rule> any = new ArrayList<>();
        for (Rule r : rules) if (r.eventTypes() == null) any.add(r);
        this.anyType = any.toArray(new Rule[0]);
        for (String t : types) {
            List<Rule> l = new ArrayList<>();
            for (Rule r : rules) if (r.eventTypes() == null || r.eventTypes().contains(t)) l.add(r);
            byType.put(t, l.toArray(new Rule[0]));
        }
    }

    public List<Rule> rules() {
        return rules;
    }

    public int size() {
        return rules.size();
    }

    /** Rules not loaded (a field taskscope cannot fill, another source, disabled is not listed here). */
    public List<Skipped> skipped() {
        return skipped;
    }

    /** One line each, for the agent's log: skipped rules, rules that match every event type... */
    public List<String> warnings() {
        return warnings;
    }

    /** required_engine_version / required_plugin_versions entries, as read ("file:line: ..."). */
    public List<String> required() {
        return required;
    }

    /** The rules an event of this type is tested against, in load order. */
    Rule[] candidates(String type) {
        Rule[] r = byType.get(type);
        return r != null ? r : anyType;
    }

    /** What the rules need traced. */
    public RuleRequirements requirements(java.util.function.Predicate<String> isSyscall) {
        return RuleRequirements.of(rules, isSyscall);
    }

    /** Every matching rule's alert; {@code indexed == false} tests every rule (the benchmark's baseline). */
    List<AlertEvent> evaluate(EventContext c, boolean indexed) {
        Rule[] cands = indexed ? candidates(c.type) : rules.toArray(new Rule[0]);
        List<AlertEvent> out = null;
        for (Rule r : cands) {
            if (r.filter().test(c)) {
                if (out == null) out = new ArrayList<>(2);
                out.add(r.alert(c));
            }
        }
        return out == null ? List.of() : out;
    }
}
