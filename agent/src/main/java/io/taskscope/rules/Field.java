package io.taskscope.rules;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.util.Locale;

/**
 * The event fields a rule can test and a message can quote. One place maps names to record
 * accessors, so the rule language, the messages and docs/events.md agree. A field an event does not
 * have reads as null, and a condition on it does not match.
 */
public enum Field {
    EVENT("event", "event type: syscall, process, file, alert, drop"),
    KIND("kind", "process: start, exec, exit; file: create, modify, delete, move_from, move_to, attrib"),
    SYSCALL("syscall", "syscall name, e.g. openat"),
    PATH("path", "syscall: first path argument; file: path inside the container"),
    FLAGS("flags", "open flags, e.g. O_WRONLY|O_CREAT; a condition matches when any listed flag is set"),
    CONTAINER("container", "container name"),
    COMM("comm", "command name (15 characters at most, as the kernel keeps it)"),
    EXE("exe", "process: executable path"),
    UID("uid", "real uid"),
    PID("pid", "process id (message only)"),
    PPID("ppid", "parent process id (message only)"),
    RET("ret", "syscall return value"),
    ERRNO("errno", "syscall errno name, e.g. EACCES"),
    FAILED("failed", "syscall failed: true or false"),
    ARGV("argv", "process: command line (message only)");

    private final String key;
    private final String doc;

    Field(String key, String doc) {
        this.key = key;
        this.doc = doc;
    }

    public String key() {
        return key;
    }

    public String doc() {
        return doc;
    }

    public static java.util.Optional<Field> byKey(String key) {
        for (Field f : values()) if (f.key.equals(key)) return java.util.Optional.of(f);
        return java.util.Optional.empty();
    }

    /** The field's value as text, or null when the event has no such field. */
    public String of(Event e) {
        // Java 17 has no pattern matching in switch: one instanceof per event type.
        if (e instanceof SyscallEvent s) {
            return switch (this) {
                case EVENT -> s.type();
                case SYSCALL -> s.syscall();
                case PATH -> s.path();
                case FLAGS -> s.flags();
                case CONTAINER -> s.container();
                case COMM -> s.comm();
                case UID -> Integer.toString(s.uid());
                case PID -> Integer.toString(s.pid());
                case RET -> Long.toString(s.ret());
                case ERRNO -> s.errno();
                case FAILED -> Boolean.toString(s.failed());
                default -> null;
            };
        }
        if (e instanceof ProcessEvent p) {
            return switch (this) {
                case EVENT -> p.type();
                case KIND -> p.kind().name().toLowerCase(Locale.ROOT);
                case CONTAINER -> p.container();
                case COMM -> p.comm();
                case EXE -> p.exe();
                case UID -> Integer.toString(p.uid());
                case PID -> Integer.toString(p.pid());
                case PPID -> Integer.toString(p.ppid());
                case ARGV -> p.argv() == null ? null : String.join(" ", p.argv());
                default -> null;
            };
        }
        if (e instanceof FileChangeEvent f) {
            return switch (this) {
                case EVENT -> f.type();
                case KIND -> f.kind().name().toLowerCase(Locale.ROOT);
                case PATH -> f.path();
                case CONTAINER -> f.container();
                case PID -> Integer.toString(f.pid());
                default -> null;
            };
        }
        if (e instanceof AlertEvent a) {
            return switch (this) {
                case EVENT -> a.type();
                case CONTAINER -> a.container();
                default -> null;
            };
        }
        return this == EVENT ? e.type() : null;
    }
}
