package io.taskscope.cli.commands;

import io.taskscope.rules.Rule;
import io.taskscope.rules.RuleRequirements;
import io.taskscope.rules.RuleSet;
import java.util.List;

/** What {@code agent --list-rules} and {@code agent --check} print about the rules. */
final class RulesReport {
    private RulesReport() {}

    /** One rule per line: name, priority, source file:line, description (tab-separated, for cut and awk). */
    static String list(RuleSet rules) {
        StringBuilder b = new StringBuilder();
        b.append("RULE\tPRIORITY\tSOURCE\tDESCRIPTION\n");
        for (Rule r : rules.rules()) {
            b.append(r.name()).append('\t').append(r.priority().label()).append('\t').append(r.source()).append('\t')
                    .append(r.description().replaceAll("\\s+", " ").trim()).append('\n');
        }
        return b.toString();
    }

    /** The rules that run and what each needs traced, the rules skipped and why, the warnings. */
    static String check(RuleSet rules, RuleRequirements req) {
        StringBuilder b = new StringBuilder();
        for (String r : rules.required()) b.append("required: ").append(r).append('\n');
        b.append("rules that run: ").append(rules.size()).append('\n');
        for (RuleRequirements.Needs n : req.rules()) {
            b.append("  ").append(n.rule()).append(": ");
            String where = n.containers() == null ? "every container" : "containers " + String.join(", ", n.containers());
            if (n.lifecycleOnly()) {
                b.append("process lifecycle events only (no syscall stop), on ").append(where);
            } else if (n.allSyscalls()) {
                b.append("forces syscall mode for EVERY syscall on ").append(where).append(" (the condition names no evt.type)");
            } else {
                b.append("forces syscall mode on ").append(where).append(" for ").append(String.join(", ", n.syscalls()));
                if (n.inotifyCan()) b.append(" (an inotify watch of the paths can stand in: TASKSCOPE_WATCH, TASKSCOPE_SENSITIVE_FILES)");
                if (n.syscalls().contains("ptrace")) b.append(" (a neighbour's ptrace attach is also seen without a stop: TracerPid in /proc)");
            }
            b.append('\n');
        }
        List<RuleSet.Skipped> skipped = rules.skipped();
        b.append("rules skipped: ").append(skipped.size()).append('\n');
        for (RuleSet.Skipped s : skipped) b.append("  ").append(s.name()).append(" (").append(s.source()).append("): ").append(s.reason()).append('\n');
        if (req.lifecycleOnly()) {
            b.append("tracing needed: process lifecycle only; every process can stay in lifecycle mode\n");
        } else if (req.allSyscalls()) {
            b.append("tracing needed: every syscall on the containers above\n");
        } else {
            b.append("tracing needed: syscall mode for ").append(String.join(", ", req.syscalls())).append('\n');
        }
        for (String w : rules.warnings()) b.append("warning: ").append(w).append('\n');
        return b.toString();
    }

    /**
     * One line per rule that needs a syscall the agent's filter (TASKSCOPE_FILTER) leaves out: such a rule could
     * only fire from the events that stand in (inotify, the TracerPid scan), never from the syscall itself.
     */
    static List<String> filterGaps(RuleRequirements req, boolean[] selected, io.taskscope.decode.SyscallTable table) {
        List<String> out = new java.util.ArrayList<>();
        for (RuleRequirements.Needs n : req.rules()) {
            java.util.Set<String> missing = new java.util.TreeSet<>();
            for (String sc : n.syscalls()) {
                int nr = table.byName(sc).map(io.taskscope.decode.Syscall::number).orElse(-1);
                if (nr >= 0 && (nr >= selected.length || !selected[nr])) missing.add(sc);
            }
            if (!missing.isEmpty()) {
                out.add("rule '" + n.rule() + "' needs " + String.join(", ", missing) + ", which TASKSCOPE_FILTER does not trace;"
                        + " add them (e.g. trace=%file,%process,%network,ptrace) or the rule sees only what stands in for them");
            }
        }
        return out;
    }
}
