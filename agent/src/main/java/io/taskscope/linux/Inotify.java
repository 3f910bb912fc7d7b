package io.taskscope.linux;

import com.sun.jna.LastErrorException;

/** inotify(7) and poll(2), direct-mapped (glibc and musl both export them). */
public final class Inotify {
    static {
        NativeBoot.register(Inotify.class);
    }

    private Inotify() {}

    public static final int IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8, IN_OPEN = 0x20,
            IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_DELETE = 0x200, IN_DELETE_SELF = 0x400,
            IN_MOVE_SELF = 0x800, IN_UNMOUNT = 0x2000, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000,
            IN_ONLYDIR = 0x1000000, IN_DONT_FOLLOW = 0x2000000, IN_EXCL_UNLINK = 0x4000000, IN_ISDIR = 0x40000000;
    public static final int IN_NONBLOCK = 04000, IN_CLOEXEC = 02000000;
    public static final short POLLIN = 1;

    public static native int inotify_init1(int flags) throws LastErrorException;

    public static native int inotify_add_watch(int fd, String path, int mask) throws LastErrorException;

    public static native int inotify_rm_watch(int fd, int wd) throws LastErrorException;

    /** poll(2) on an array of struct pollfd {int fd; short events; short revents;} at {@code fds}. */
    public static native int poll(long fds, long nfds, int timeoutMillis) throws LastErrorException;
}
