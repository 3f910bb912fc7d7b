package io.taskscope.task;

import io.taskscope.TaskscopeException;
import io.taskscope.proc.ProcessInfo;
import java.util.List;
import java.util.Optional;

/**
 * TARGET arguments, shared by every command that takes one (trace, fs, env, inspect): a PID in
 * the monitor's namespace, or a container name (or ID, or a unique prefix of it of 4+ hex digits, as
 * {@code docker ps} prints it) standing for that container's main process (its oldest process that
 * is not pause, an init, an ECS agent or the monitor).
 */
public final class Targets {
    private Targets() {}

    /** Resolves against a fresh snapshot. */
    public static Target resolve(String target) {
        return resolve(Task.snapshot(), target);
    }

    /** Resolves against {@code task}; unknown PID or container is a usage error naming the fix. */
    public static Target resolve(Task task, String target) {
        if (target == null || target.isBlank()) {
            throw TaskscopeException.usage("empty TARGET", "give a PID or a container name (see 'taskscope ps')");
        }
        String t = target.strip();
        if (isNumber(t)) {
            int pid = parsePid(t);
            Optional<ProcessInfo> p = task.process(pid);
            if (p.isEmpty()) {
                throw TaskscopeException.usage("no process with PID " + t + " in this PID namespace",
                        "run 'taskscope ps' to list the processes");
            }
            return new Target(pid, task.containerOf(pid).map(Container::name).orElse(""));
        }
        if (t.startsWith("-") && isNumber(t.substring(1))) {
            throw TaskscopeException.usage("'" + t + "' is not a PID", "give a positive PID or a container name");
        }
        Container c = task.container(t).or(() -> byId(task, t)).orElseThrow(() -> TaskscopeException.usage(
                "no container named '" + t + "'; known: " + task.containerNames(),
                "give one of those names, a container ID (as docker ps prints it) or a PID"));
        return new Target(c.mainPid(), c.name());
    }

    /** The one container whose ID starts with {@code t} (at least 4 hex digits), as docker accepts a prefix. */
    private static Optional<Container> byId(Task task, String t) {
        if (t.length() < 4 || t.length() > 64) return Optional.empty();
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (!(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f')) return Optional.empty();
        }
        List<Container> found = task.containers().stream().filter(c -> c.id().startsWith(t)).toList();
        if (found.size() > 1) {
            throw TaskscopeException.usage("container ID prefix '" + t + "' is ambiguous: "
                    + String.join(", ", found.stream().map(Container::name).toList()), "give more of the ID, or a name");
        }
        return found.stream().findFirst();
    }

    /** Parses a PID option value ({@code -p 12}); a non-number or 0 is a usage error. */
    public static int parsePid(String s) {
        String t = s.strip();
        if (!isNumber(t)) throw TaskscopeException.usage("'" + s + "' is not a PID", "give a positive number, e.g. -p 1234");
        try {
            int pid = Integer.parseInt(t);
            if (pid > 0) return pid;
        } catch (NumberFormatException e) {
            // too large: fall through to the same message
        }
        throw TaskscopeException.usage("'" + s + "' is not a PID", "give a positive number, e.g. -p 1234");
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }
}
