package io.taskscope.agent;

import io.taskscope.decode.Syscall;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.decode.SyscallTable;
import io.taskscope.rules.RuleRequirements;
import io.taskscope.rules.RuleSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The agent's effective syscall filter: {@code TASKSCOPE_FILTER} plus every syscall a loaded rule's event types
 * need, so that a process in syscall mode (escalated, budget-selected, {@code TASKSCOPE_SYSCALL_CONTAINERS}) feeds
 * every rule. It widens what a syscall-mode process is stopped for, never which processes are in syscall mode:
 * a process in lifecycle mode is still stopped for no syscall at all (docs/modes.md). A rule whose condition names
 * no {@code evt.type} would need every syscall; the filter is not widened to everything for it.
 *
 * @param expressions the effective filter, as strace expressions (TASKSCOPE_FILTER's, the last {@code trace=}
 *                    expression extended by the added names; what the health reply carries)
 * @param added       each syscall added, with the rules that need it (by syscall name)
 * @param anyType     the rules that name no evt.type (they see what the filter traces)
 */
public record RuleFilter(List<String> expressions, Map<String, List<String>> added, List<String> anyType) {

    /** The effective filter of {@code configured} (TASKSCOPE_FILTER) with {@code rules}, on this machine's table. */
    public static RuleFilter of(List<String> configured, RuleSet rules) {
        SyscallTable table = SyscallTable.current();
        return of(configured, rules.requirements(n -> table.byName(n).isPresent()), table);
    }

    static RuleFilter of(List<String> configured, RuleRequirements req, SyscallTable table) {
        boolean[] sel = Agent.filter(configured).selection(table);
        Map<String, List<String>> added = new TreeMap<>();
        List<String> anyType = new ArrayList<>();
        for (RuleRequirements.Needs n : req.rules()) {
            if (n.allSyscalls()) anyType.add(n.rule());
            for (String sc : n.syscalls()) {
                int nr = table.byName(sc).map(Syscall::number).orElse(-1);
                if (nr >= 0 && !sel[nr]) added.computeIfAbsent(sc, k -> new ArrayList<>()).add(n.rule());
            }
        }
        if (added.isEmpty()) return new RuleFilter(List.copyOf(configured), Map.of(), List.copyOf(anyType));
        List<String> out = new ArrayList<>(configured);
        int last = -1;
        for (int i = 0; i < out.size(); i++) if (isTrace(out.get(i))) last = i;
        String value = last < 0 ? "" : value(out.get(last));
        if (last >= 0 && !value.startsWith("!")) {
            out.set(last, out.get(last).strip() + "," + String.join(",", added.keySet()));
        } else if (plainNames(value.substring(1))) {
            // "trace=!write,connect": the added names leave the negated set
            List<String> left = new ArrayList<>(List.of(value.substring(1).split(",")));
            left.replaceAll(String::strip);
            left.removeAll(added.keySet());
            out.set(last, left.isEmpty() ? "trace=all" : "trace=!" + String.join(",", left));
        } else {
            // A negated class or regex ("trace=!%network") cannot lose names: spelled out as the syscalls it selects
            // plus the added (numbers no syscall of the table has are then no longer shown raw).
            Set<String> names = new LinkedHashSet<>();
            for (Syscall s : table.all()) if (s.number() < sel.length && sel[s.number()]) names.add(s.name());
            names.addAll(added.keySet());
            out.set(last, "trace=" + String.join(",", names));
        }
        SyscallFilter.parse(out); // still strace's language
        Map<String, List<String>> frozen = new TreeMap<>();
        added.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new RuleFilter(List.copyOf(out), java.util.Collections.unmodifiableMap(frozen), List.copyOf(anyType));
    }

    private static boolean plainNames(String terms) {
        for (String t : terms.split(",")) {
            String x = t.strip();
            if (x.isEmpty() || !x.matches("[a-z0-9_]+") || x.equals("all") || x.equals("none")
                    || List.of("file", "desc", "network", "process", "signal", "ipc", "memory").contains(x)) return false;
        }
        return true;
    }

    private static boolean isTrace(String expression) {
        String e = expression.strip();
        int eq = e.indexOf('=');
        return eq < 0 || e.startsWith("trace=") || e.startsWith("t=");
    }

    private static String value(String expression) {
        String e = expression.strip();
        int eq = e.indexOf('=');
        return eq < 0 ? e : e.substring(eq + 1);
    }

    /**
     * One line for the agent's start and {@code --check}: which syscalls were added for which rules, or that none
     * were; with what the rules needing syscall events see.
     */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (added.isEmpty()) {
            b.append("syscall filter: TASKSCOPE_FILTER covers every syscall the rules name");
        } else {
            b.append("syscall filter: TASKSCOPE_FILTER plus, for the rules, ");
            List<String> parts = new ArrayList<>();
            Map<List<String>, List<String>> byRules = new java.util.LinkedHashMap<>();
            added.forEach((sc, rs) -> byRules.computeIfAbsent(rs, k -> new ArrayList<>()).add(sc));
            byRules.forEach((rs, scs) -> parts.add(String.join(", ", scs) + " (" + String.join(", ", rs) + ")"));
            b.append(String.join("; ", parts));
        }
        if (!anyType.isEmpty()) {
            b.append("; rules naming no evt.type see only the filter's syscalls: ").append(String.join(", ", anyType));
        }
        b.append("; rules on syscalls see only processes in syscall mode (escalated, budgeted, TASKSCOPE_SYSCALL_CONTAINERS)");
        return b.toString();
    }
}
