package io.taskscope.event;

/**
 * A change under a watched directory of a neighbour, or an open or read of a watched sensitive file, from inotify.
 * inotify does not say which process acted: {@code pid} is the container process whose root is watched.
 *
 * @param path path inside the container (as the container sees it), not the /proc/PID/root path
 */
public record FileChangeEvent(long timeNanos, String container, int pid, String path, Kind kind, boolean directory)
        implements Event {
    /**
     * What happened. {@code OPEN} and {@code ACCESS} (a read, or a directory listed) come only from sensitive-file
     * watches; repeated reads of one path are one ACCESS until its next OPEN.
     */
    public enum Kind { CREATE, MODIFY, DELETE, MOVE_FROM, MOVE_TO, ATTRIB, OPEN, ACCESS }

    @Override
    public String type() {
        return "file";
    }
}
