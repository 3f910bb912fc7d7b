package io.taskscope.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;
import io.taskscope.linux.Statx;

/** An open regular file of a target's root, read with pread(2) ({@link RootedFs#openRegular}). */
public final class RegularFile implements AutoCloseable {
    private final int fd;
    private final Statx stat;
    private final String label;
    private final Memory buf = new Memory(FdReads.BUF);

    RegularFile(int fd, Statx stat, String label) {
        this.fd = fd;
        this.stat = stat;
        this.label = label;
    }

    /** The size when it was opened. */
    public long size() {
        return stat.size();
    }

    public long inode() {
        return stat.ino();
    }

    /** Fills {@code dst[off, off+len)} from file offset {@code pos}; returns fewer bytes only at end of file. */
    public int read(long pos, byte[] dst, int off, int len) {
        int got = 0;
        while (got < len) {
            int n;
            try {
                n = Fs.pread(fd, buf, Math.min(FdReads.BUF, len - got), pos + got);
            } catch (LastErrorException e) {
                throw FsException.runtime(FsException.Reason.OTHER, "cannot read " + label + ": "
                        + Errno.describe(e.getErrorCode()), null);
            }
            if (n <= 0) break;
            buf.read(0, dst, off + got, n);
            got += n;
        }
        return got;
    }

    @Override
    public void close() {
        Fs.closeQuietly(fd);
        buf.close();
    }
}
