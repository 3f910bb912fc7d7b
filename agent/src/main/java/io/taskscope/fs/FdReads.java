package io.taskscope.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;
import java.util.ArrayList;
import java.util.List;

/** Reads from fds {@link RootedFs} already opened safely: bounded copies, directory entries, hashes. */
final class FdReads {
    static final int BUF = 64 * 1024;

    private FdReads() {}

    static String sha256(int in, boolean close) {
        try {
            return FileHash.sha256(in);
        } finally {
            if (close) Fs.closeQuietly(in);
        }
    }

    interface Sink {
        void write(byte[] b, int off, int len);
    }

    /** Copies up to {@code max} bytes from fd to sink; returns the count. */
    static long copy(int fd, long max, Sink sink) {
        try (Memory buf = new Memory(BUF)) {
            byte[] chunk = new byte[BUF];
            long total = 0;
            while (total < max) {
                FileHash.checkInterrupted();
                int n;
                try {
                    n = Fs.read(fd, buf, (int) Math.min(BUF, max - total));
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.EINTR) continue;
                    throw FsException.runtime(FsException.Reason.OTHER, "read failed: " + Errno.describe(e.getErrorCode()), null);
                }
                if (n <= 0) break;
                buf.read(0, chunk, 0, n);
                sink.write(chunk, 0, n);
                total += n;
            }
            return total;
        }
    }

    /** Raw names in a directory fd, without "." and "..", sorted bytewise. */
    static List<byte[]> names(int dir) {
        List<byte[]> out = new ArrayList<>();
        try (Memory buf = new Memory(BUF)) {
            while (true) {
                int n = Fs.getdents64(dir, buf);
                if (n <= 0) break;
                int off = 0;
                while (off < n) {
                    int reclen = Short.toUnsignedInt(buf.getShort(off + 16));
                    if (reclen == 0) break;
                    int nameOff = off + 19;
                    int len = 0;
                    while (nameOff + len < off + reclen && buf.getByte(nameOff + len) != 0) len++;
                    byte[] name = buf.getByteArray(nameOff, len);
                    if (!(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.')) out.add(name);
                    off += reclen;
                }
            }
        } catch (LastErrorException e) {
            throw FsException.runtime(FsException.Reason.OTHER, "cannot list a directory: " + Errno.describe(e.getErrorCode()), null);
        }
        out.sort(java.util.Arrays::compareUnsigned);
        return out;
    }

    /** A subdirectory for reading, never through a symlink, and without touching its atime where we may. */
    static int openChildDirectory(int dir, byte[] name) {
        int flags = Fs.O_RDONLY | Fs.O_DIRECTORY | Fs.O_NOFOLLOW | Fs.O_CLOEXEC;
        try {
            return Fs.openat(dir, name, flags | Fs.O_NOATIME);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EPERM) throw e; // O_NOATIME needs ownership or CAP_FOWNER
            return Fs.openat(dir, name, flags);
        }
    }
}
