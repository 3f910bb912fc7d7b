package io.taskscope.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a neighbour's file, bounded. The digest is the true one ({@code sha256sum} prints the same), but a
 * sparse file's holes are not read: SEEK_DATA/SEEK_HOLE find the data extents, and the holes are fed to the digest
 * from one shared zero buffer (no syscall, no copy). The digest still has to see every byte of zeros, so the cost of
 * a hole is the digest's speed (~3 s/GiB on a busy 2-vCPU VM, measured), not a read: that is why callers cap the
 * size they hash ({@link #DEFAULT_MAX_SNAPSHOT}, {@link #DEFAULT_MAX_COMMAND}) and report a larger file as not
 * hashed. Every loop checks the thread's interrupt flag, so a long hash can be cancelled.
 */
public final class FileHash {
    /** What snapshot and diff hash per file by default: larger files are compared by size and mtime only. */
    public static final long DEFAULT_MAX_SNAPSHOT = 1L << 30;
    /** What {@code fs hash} hashes by default (raise it with --max-size 8G: the digest is then sha256sum's). */
    public static final long DEFAULT_MAX_COMMAND = 1L << 30;

    private static final int BUF = 64 * 1024;
    private static final byte[] ZEROS = new byte[1 << 20];

    private FileHash() {}

    /** "1073741824", "512K", "64M", "1G", "2T" (powers of 1024) as bytes; -1 when it is not a size. */
    public static long parseSize(String s) {
        String t = s.strip();
        if (t.isEmpty()) return -1;
        int shift = switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        if (shift > 0) t = t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > (Long.MAX_VALUE >> shift)) return -1;
            return v << shift;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Why a file of {@code size} bytes is not hashed under {@code max}; null when it is. */
    public static String notHashed(long size, long max) {
        return size > max ? "larger than " + human(max) : null;
    }

    /** "1 GiB", "16 GiB", "512 MiB", or bytes. */
    public static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        return bytes + " bytes";
    }

    /** The hex SHA-256 of everything fd (open for reading, at offset 0) holds. */
    static String sha256(int fd) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        long size = Fs.fstat(fd).size();
        try (Memory buf = new Memory(BUF)) {
            byte[] chunk = new byte[BUF];
            if (size <= 0 || !sparseAware(fd, size, md, buf, chunk)) {
                // procfs-like files say size 0 and have content; or SEEK_DATA is unsupported: read to EOF.
                Fs.lseek(fd, 0, Fs.SEEK_SET);
                md.reset();
                read(fd, Long.MAX_VALUE, md, buf, chunk);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Hashes data extents read and holes as zeros; false when the file system cannot say where data is. */
    private static boolean sparseAware(int fd, long size, MessageDigest md, Memory buf, byte[] chunk) {
        long pos = 0;
        while (pos < size) {
            checkInterrupted();
            long data;
            try {
                data = Fs.lseek(fd, pos, Fs.SEEK_DATA);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ENXIO) data = size; // only a hole up to the end
                else if (pos == 0) return false;
                else throw readFailed(e);
            }
            data = Math.min(data, size);
            zeros(md, data - pos);
            pos = data;
            if (pos >= size) break;
            long hole;
            try {
                hole = Math.min(Fs.lseek(fd, pos, Fs.SEEK_HOLE), size);
                Fs.lseek(fd, pos, Fs.SEEK_SET);
            } catch (LastErrorException e) {
                throw readFailed(e);
            }
            long n = read(fd, hole - pos, md, buf, chunk);
            pos += n;
            if (n < hole - (pos - n)) break; // the file shrank while we read: hash what was there
        }
        // A file that grew meanwhile: what is past the size we started with is read as it comes.
        if (pos >= size) {
            try {
                Fs.lseek(fd, size, Fs.SEEK_SET); // the last region may have been a hole, never read
            } catch (LastErrorException e) {
                throw readFailed(e);
            }
            read(fd, Long.MAX_VALUE, md, buf, chunk);
        }
        return true;
    }

    private static void zeros(MessageDigest md, long n) {
        while (n > 0) {
            checkInterrupted();
            int k = (int) Math.min(n, ZEROS.length);
            md.update(ZEROS, 0, k);
            n -= k;
        }
    }

    private static long read(int fd, long max, MessageDigest md, Memory buf, byte[] chunk) {
        long total = 0;
        while (total < max) {
            checkInterrupted();
            int n;
            try {
                n = Fs.read(fd, buf, (int) Math.min(BUF, max - total));
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) continue;
                throw readFailed(e);
            }
            if (n <= 0) break;
            buf.read(0, chunk, 0, n);
            md.update(chunk, 0, n);
            total += n;
        }
        return total;
    }

    private static FsException readFailed(LastErrorException e) {
        return FsException.runtime(FsException.Reason.OTHER, "read failed: " + Errno.describe(e.getErrorCode()), null);
    }

    static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw FsException.runtime(FsException.Reason.OTHER, "interrupted", null);
        }
    }
}
