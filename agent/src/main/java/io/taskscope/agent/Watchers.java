package io.taskscope.agent;

import io.taskscope.TaskscopeException;
import io.taskscope.trace.EventSink;
import java.util.List;

/** The inotify watches of TASKSCOPE_WATCH. */
final class Watchers implements AutoCloseable {
    static Watchers start(List<AgentConfig.Watch> watches, Discovery discovery, EventSink sink) {
        if (!watches.isEmpty()) {
            throw TaskscopeException.runtime("TASKSCOPE_WATCH: file watching is not available in this build",
                    "unset TASKSCOPE_WATCH");
        }
        return new Watchers();
    }

    @Override
    public void close() {}
}
