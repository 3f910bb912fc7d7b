package io.taskscope.event;

/**
 * Everything taskscope reports, as one closed hierarchy. Sources (the tracer, the process
 * scanner, the inotify watcher, the rules) produce events; sinks (strace-shaped text, JSON lines,
 * metrics, the control socket) consume them. See docs/events.md for the JSON schema.
 */
public sealed interface Event permits SyscallEvent, ProcessEvent, SignalEvent, FileChangeEvent, AlertEvent, DropEvent {
    /** JSON schema version, written into every JSON line as "v". Bump on incompatible changes. */
    int SCHEMA_VERSION = 1;

    /** Wall-clock time of the event, nanoseconds since the epoch. */
    long timeNanos();

    /** The JSON "type" value: syscall, process, signal, file, alert, drop. */
    String type();
}
