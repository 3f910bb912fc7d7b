package io.taskscope.rules;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What the loaded rules need traced, derived from each rule's event types as Falco's base_syscalls are:
 * process starts, execs, exits and delivered signals come from lifecycle mode (no syscall stop); any
 * other event type is a syscall the process must be stopped for. A rule whose condition does not name
 * its event types needs every syscall.
 *
 * @param allSyscalls  some rule can match any event type
 * @param syscalls     the syscalls some rule needs (empty when {@code lifecycleOnly})
 * @param lifecycleOnly every rule is satisfied by process lifecycle events alone
 * @param rules        per rule
 */
public record RuleRequirements(boolean allSyscalls, Set<String> syscalls, boolean lifecycleOnly, List<Needs> rules) {
    /** Event types lifecycle mode reports (PTRACE_O_TRACE* event stops and signal-delivery stops). */
    public static final Set<String> LIFECYCLE_TYPES = Set.of("execve", "execveat", "clone", "clone3", "fork", "vfork",
            "procexit", "signaldeliver");

    /** Event types the inotify file watches can also report (create, modify, move-to, delete under a watched path). */
    public static final Set<String> INOTIFY_TYPES = Set.of("open", "openat", "openat2", "creat", "rename", "renameat",
            "renameat2", "unlink", "unlinkat", "link", "linkat", "symlink", "symlinkat", "mkdir", "mkdirat", "truncate");

    /**
     * @param eventTypes   null: any
     * @param syscalls     what syscall mode must stop for (empty: lifecycle is enough)
     * @param allSyscalls  every syscall (the rule names no event type)
     * @param containers   the containers the rule is limited to; null: every container
     * @param inotifyCan   every needed event type is one an inotify watch can also report (for the watched paths)
     */
    public record Needs(String rule, Set<String> eventTypes, Set<String> syscalls, boolean allSyscalls,
                        Set<String> containers, boolean inotifyCan) {
        public boolean lifecycleOnly() {
            return !allSyscalls && syscalls.isEmpty();
        }

        public boolean appliesTo(String container) {
            return containers == null || containers.contains(container);
        }
    }

    static RuleRequirements of(List<Rule> rules, Predicate<String> isSyscall) {
        List<Needs> needs = new java.util.ArrayList<>();
        Set<String> all = new TreeSet<>();
        boolean any = false;
        for (Rule r : rules) {
            Set<String> sys = new TreeSet<>();
            boolean allSys = r.eventTypes() == null;
            if (!allSys) {
                for (String t : r.eventTypes()) if (!LIFECYCLE_TYPES.contains(t) && isSyscall.test(t)) sys.add(t);
            }
            boolean ino = !allSys && !sys.isEmpty() && INOTIFY_TYPES.containsAll(sys);
            Set<String> types = r.eventTypes() == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(r.eventTypes()));
            needs.add(new Needs(r.name(), types, Collections.unmodifiableSet(sys), allSys, r.containers(), ino));
            all.addAll(sys);
            any |= allSys;
        }
        return new RuleRequirements(any, Collections.unmodifiableSet(all), !any && all.isEmpty(), List.copyOf(needs));
    }

    /** The syscalls the rules need on one container (what its processes must be stopped for). */
    public Set<String> syscallsFor(String container) {
        Set<String> out = new TreeSet<>();
        for (Needs n : rules) if (n.appliesTo(container)) out.addAll(n.syscalls());
        return out;
    }

    /** Whether lifecycle mode is enough for every rule that applies to this container. */
    public boolean lifecycleOnlyFor(String container) {
        for (Needs n : rules) if (n.appliesTo(container) && !n.lifecycleOnly()) return false;
        return true;
    }
}
