package io.taskscope.rules;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.util.List;

/** Events shaped as the tracer and the watcher produce them, and a rule engine to feed them to. */
final class Events {
    static final long T = 1_700_000_000_000_000_000L;

    private Events() {}

    /** An openat-shaped call: args AT_FDCWD, "path", flags. */
    static SyscallEvent syscall(String container, String comm, String syscall, String path, String flags,
                                long ret, String errno) {
        return new SyscallEvent(T, 42, 42, container, comm, 82, syscall,
                List.of("AT_FDCWD", "\"" + path + "\"", flags == null ? "0" : flags), path, flags, ret, errno, 12);
    }

    /** Any call with its arguments as strace prints them; the first quoted one is the path. */
    static SyscallEvent call(int pid, String container, String comm, String syscall, long ret, String errno, String... args) {
        String path = null;
        for (String a : args) {
            if (a.startsWith("\"")) {
                path = SyscallArgs.unquote(a);
                break;
            }
        }
        return new SyscallEvent(T, pid, pid, container, comm, 82, syscall, List.of(args), path, null, ret, errno, 12);
    }

    static ProcessEvent exec(String container, String comm, String exe, String... argv) {
        return new ProcessEvent(T, ProcessEvent.Kind.EXEC, 77, 42, container, comm, exe, List.of(argv), 82, null, null);
    }

    static ProcessEvent process(ProcessEvent.Kind kind, int pid, int ppid, String container, String comm, String exe,
                                String... argv) {
        return new ProcessEvent(T, kind, pid, ppid, container, comm, exe, argv.length == 0 ? null : List.of(argv), 0,
                kind == ProcessEvent.Kind.EXIT ? 0 : null, null);
    }

    static FileChangeEvent file(String container, String path, FileChangeEvent.Kind kind) {
        return new FileChangeEvent(T, container, 7, path, kind, false);
    }

    /** Rules from YAML text, with an engine and the names of the rules each event fires. */
    static final class Harness {
        final RuleSet rules;
        final RuleEngine engine;

        Harness(RuleSet rules, RuleEnv env) {
            this.rules = rules;
            this.engine = new RuleEngine(rules, env, ProcessTree.Loader.NONE);
        }

        Harness(String yaml) {
            this(new RuleLoader().addText("t.yaml", yaml).build(), RuleEnv.NONE);
        }

        List<String> fired(Event e) {
            return engine.accept(e).stream().map(AlertEvent::rule).toList();
        }

        List<AlertEvent> alerts(Event e) {
            return engine.accept(e);
        }
    }
}
