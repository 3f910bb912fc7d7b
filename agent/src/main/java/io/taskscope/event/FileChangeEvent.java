package io.taskscope.event;

/**
 * A change under a watched directory of a neighbour, from inotify.
 *
 * @param path path inside the container (as the container sees it), not the /proc/PID/root path
 */
public record FileChangeEvent(long timeNanos, String container, int pid, String path, Kind kind, boolean directory)
        implements Event {
    public enum Kind { CREATE, MODIFY, DELETE, MOVE_FROM, MOVE_TO, ATTRIB }

    @Override
    public String type() {
        return "file";
    }
}
