package io.taskscope.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * File-system system calls for reading a neighbour's files without trusting its paths: openat,
 * openat2, statx, readlinkat, getdents64 and fstatfs, made as raw syscalls through
 * {@link LibC#syscall} so that glibc and musl behave the same (neither wraps openat2, older ones
 * lack statx) and struct layouts are the architecture-independent ones.
 *
 * <p>Every call throws {@link LastErrorException} with errno on failure. Paths are byte arrays:
 * names from a neighbour need not be UTF-8.
 */
public final class Fs {
    private Fs() {}

    public static final int O_RDONLY = 0, O_NONBLOCK = 04000, O_NOATIME = 01000000, O_CLOEXEC = 02000000,
            O_PATH = 010000000;
    /** Differ between x86_64 and the asm-generic layout aarch64 uses. */
    public static final int O_DIRECTORY, O_NOFOLLOW;
    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;

    /** openat2 resolve flags (linux/openat2.h). */
    public static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

    /** statfs f_type of procfs: symlinks there may be magic links. */
    public static final long PROC_SUPER_MAGIC = 0x9fa0;

    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final long SYS_OPENAT, SYS_OPENAT2 = 437, SYS_STATX, SYS_GETDENTS64, SYS_READLINKAT, SYS_FSTATFS, SYS_LSEEK;

    /** lseek(2) whence values; SEEK_DATA and SEEK_HOLE skip a sparse file's holes. */
    public static final int SEEK_SET = 0, SEEK_DATA = 3, SEEK_HOLE = 4;

    static {
        if (Arch.current() == Arch.X86_64) {
            O_DIRECTORY = 0200000;
            O_NOFOLLOW = 0400000;
            SYS_OPENAT = 257;
            SYS_STATX = 332;
            SYS_GETDENTS64 = 217;
            SYS_READLINKAT = 267;
            SYS_FSTATFS = 138;
            SYS_LSEEK = 8;
        } else {
            O_DIRECTORY = 040000;
            O_NOFOLLOW = 0100000;
            SYS_OPENAT = 56;
            SYS_STATX = 291;
            SYS_GETDENTS64 = 61;
            SYS_READLINKAT = 78;
            SYS_FSTATFS = 44;
            SYS_LSEEK = 62;
        }
    }

    /** A NUL-terminated copy of {@code path} in native memory. */
    private static Memory cString(byte[] path) {
        Memory m = new Memory(path.length + 1L);
        m.write(0, path, 0, path.length);
        m.setByte(path.length, (byte) 0);
        return m;
    }

    public static byte[] bytes(String s) {
        return io.taskscope.text.Bytes.encode(s);
    }

    public static int openat(int dirfd, byte[] path, int flags) throws LastErrorException {
        Memory p = cString(path);
        return (int) LibC.syscall(SYS_OPENAT, dirfd, Pointer.nativeValue(p), flags, 0, 0, 0);
    }

    /**
     * openat2(2) with {@code struct open_how {u64 flags; u64 mode; u64 resolve;}}. Throws ENOSYS
     * on kernels before 5.6, EAGAIN when a concurrent rename or mount made the kernel unsure that
     * ".." stayed inside the root (retry), EXDEV / ELOOP when the resolve flags refused the path.
     */
    public static int openat2(int dirfd, byte[] path, long flags, long resolve) throws LastErrorException {
        Memory p = cString(path);
        Memory how = new Memory(24);
        how.setLong(0, flags);
        how.setLong(8, 0);
        how.setLong(16, resolve);
        return (int) LibC.syscall(SYS_OPENAT2, dirfd, Pointer.nativeValue(p), Pointer.nativeValue(how), 24, 0, 0);
    }

    /** statx(2) of {@code path} relative to {@code dirfd}; an empty path with AT_EMPTY_PATH stats the fd. */
    public static Statx statx(int dirfd, byte[] path, int atFlags) throws LastErrorException {
        Memory p = cString(path);
        Memory buf = new Memory(256);
        buf.clear();
        LibC.syscall(SYS_STATX, dirfd, Pointer.nativeValue(p), atFlags, STATX_BASIC_STATS, Pointer.nativeValue(buf), 0);
        return new Statx(
                Short.toUnsignedInt(buf.getShort(28)),
                Integer.toUnsignedLong(buf.getInt(16)),
                Integer.toUnsignedLong(buf.getInt(20)),
                Integer.toUnsignedLong(buf.getInt(24)),
                buf.getLong(40),
                buf.getLong(32),
                buf.getLong(112), Integer.toUnsignedLong(buf.getInt(120)),
                buf.getInt(136), buf.getInt(140),
                buf.getInt(128), buf.getInt(132));
    }

    /** Stats the object an fd (O_PATH fds included) refers to, without following a symlink it names. */
    public static Statx fstat(int fd) throws LastErrorException {
        return statx(fd, new byte[0], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    }

    /** readlinkat(2); an empty path reads the symlink an O_PATH|O_NOFOLLOW fd refers to. */
    public static byte[] readlinkat(int dirfd, byte[] path) throws LastErrorException {
        Memory p = cString(path);
        int size = 4096; // PATH_MAX: the kernel never returns a longer link
        Memory buf = new Memory(size);
        long n = LibC.syscall(SYS_READLINKAT, dirfd, Pointer.nativeValue(p), Pointer.nativeValue(buf), size, 0, 0);
        return buf.getByteArray(0, (int) n);
    }

    /** The f_type of the file system holding fd (the first field of struct statfs on both architectures). */
    public static long fstatfsType(int fd) throws LastErrorException {
        Memory buf = new Memory(256);
        buf.clear();
        LibC.syscall(SYS_FSTATFS, fd, Pointer.nativeValue(buf), 0, 0, 0, 0);
        return buf.getLong(0);
    }

    /** getdents64(2) into {@code buf}; returns the bytes filled, 0 at the end. */
    public static int getdents64(int fd, Memory buf) throws LastErrorException {
        return (int) LibC.syscall(SYS_GETDENTS64, fd, Pointer.nativeValue(buf), buf.size(), 0, 0, 0);
    }

    /** read(2) into {@code buf}; returns the bytes read, 0 at end of file. */
    public static int read(int fd, Memory buf, int max) throws LastErrorException {
        return (int) LibC.read(fd, Pointer.nativeValue(buf), Math.min(max, buf.size()));
    }

    /** pread(2) into {@code buf}: up to {@code max} bytes at file offset {@code offset}; 0 at end of file. */
    public static int pread(int fd, Memory buf, int max, long offset) throws LastErrorException {
        return (int) LibC.pread(fd, Pointer.nativeValue(buf), Math.min(max, buf.size()), offset);
    }

    /** lseek(2); with SEEK_DATA past the last data it fails with ENXIO. */
    public static long lseek(int fd, long offset, int whence) throws LastErrorException {
        return LibC.syscall(SYS_LSEEK, fd, offset, whence, 0, 0, 0);
    }

    /** close(2), ignoring errors: used on cleanup paths where nothing useful can be done. */
    public static void closeQuietly(int fd) {
        if (fd < 0) return;
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // EBADF or EINTR on close: the fd is gone either way.
        }
    }
}
