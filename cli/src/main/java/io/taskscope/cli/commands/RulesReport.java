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
                b.append("needs EVERY syscall on ").append(where)
                        .append(" (the condition names no evt.type; it sees the filter's syscalls of processes in syscall mode)");
            } else {
                b.append("needs syscall events ").append(String.join(", ", n.syscalls())).append(" on ").append(where);
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
        } else {
            b.append("tracing needed: ").append(req.allSyscalls() ? "every syscall on the containers above" : "syscall events "
                    + String.join(", ", req.syscalls())).append(", seen only from processes in syscall mode (escalated, budgeted,"
                    + " TASKSCOPE_SYSCALL_CONTAINERS); rules never switch a process to syscall mode (docs/modes.md)\n");
        }
        for (String w : rules.warnings()) b.append("warning: ").append(w).append('\n');
        return b.toString();
    }
}
