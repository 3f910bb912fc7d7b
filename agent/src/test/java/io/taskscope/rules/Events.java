package io.taskscope.rules;

import io.taskscope.event.FileChangeEvent;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.util.List;

/** Synthetic events shaped as the tracer and the watcher produce them. */
final class Events {
    private Events() {}

    static SyscallEvent syscall(String container, String comm, String syscall, String path, String flags,
                                long ret, String errno) {
        return new SyscallEvent(1_700_000_000_000_000_000L, 42, 42, container, comm, 82, syscall,
                List.of("AT_FDCWD", "\"" + path + "\"", flags == null ? "0" : flags), path, flags, ret, errno, 12);
    }

    static ProcessEvent exec(String container, String comm, String exe, String... argv) {
        return new ProcessEvent(1_700_000_000_000_000_000L, ProcessEvent.Kind.EXEC, 77, 42, container, comm, exe,
                List.of(argv), 82, null, null);
    }

    static FileChangeEvent file(String container, String path, FileChangeEvent.Kind kind) {
        return new FileChangeEvent(1_700_000_000_000_000_000L, container, 7, path, kind, false);
    }
}
