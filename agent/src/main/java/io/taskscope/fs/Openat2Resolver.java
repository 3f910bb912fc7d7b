package io.taskscope.fs;

import com.sun.jna.LastErrorException;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;

/**
 * Resolution by the kernel: openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS. Absolute
 * symlinks and ".." are resolved against the target's root (as the container itself sees them),
 * and /proc magic links (/proc/self/root, /proc/1/cwd...) are refused with ELOOP.
 */
final class Openat2Resolver implements Resolver {
    private static final int EAGAIN_RETRIES = 64;
    private static volatile Boolean available;

    /** Whether this kernel has openat2 (5.6 and newer); probed once. */
    static boolean available() {
        Boolean a = available;
        if (a == null) {
            try {
                Fs.closeQuietly(Fs.openat2(Fs.AT_FDCWD, Fs.bytes("/"), Fs.O_PATH | Fs.O_CLOEXEC, 0));
                a = true;
            } catch (LastErrorException e) {
                a = e.getErrorCode() != Errno.ENOSYS;
            }
            available = a;
        }
        return a;
    }

    @Override
    public int resolve(int rootFd, String path, boolean followFinal) {
        int flags = Fs.O_PATH | Fs.O_CLOEXEC | (followFinal ? 0 : Fs.O_NOFOLLOW);
        byte[] p = Fs.bytes(path.isEmpty() ? "/" : path);
        for (int attempt = 0; ; attempt++) {
            try {
                return Fs.openat2(rootFd, p, flags, Fs.RESOLVE_IN_ROOT | Fs.RESOLVE_NO_MAGICLINKS);
            } catch (LastErrorException e) {
                // EAGAIN: a rename or mount raced with a ".." step; the kernel asks us to retry.
                if (e.getErrorCode() != Errno.EAGAIN || attempt >= EAGAIN_RETRIES) throw e;
            }
        }
    }

    @Override
    public String name() {
        return "openat2";
    }
}
