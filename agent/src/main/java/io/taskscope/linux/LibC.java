package io.taskscope.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * Direct-mapped C library calls shared by several packages. Direct mapping (static native
 * methods bound by {@link Native#register}) costs a fraction of an interface-mapped call, which
 * matters on the tracer's hot path.
 *
 * <p>Pointers are passed as {@code long} addresses ({@code Pointer.nativeValue(memory)}) so that
 * hot paths reuse preallocated native memory and never box. Calls that may fail declare
 * {@link LastErrorException}: its {@code getErrorCode()} is errno.
 *
 * <p>This is the only package that may call native code. Bindings specific to one feature live in
 * their own class here (e.g. the tracer's), so that each stays small.
 */
public final class LibC {
    static {
        NativeBoot.register(LibC.class);
    }

    private LibC() {}

    /** Loads the class (and JNA's native library); throws if JNA cannot load. Used by doctor. */
    public static void ensureLoaded() {}

    public static native int getpid();

    public static native int getuid();

    public static native int geteuid();

    public static native int kill(int pid, int sig) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native long read(int fd, long buf, long count) throws LastErrorException;

    public static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    /**
     * {@code syscall(2)}: for calls libc does not wrap (openat2, pidfd_open, gettid on old libcs).
     * Variadic in C; passing six longs is what the x86_64 and aarch64 Linux ABIs expect.
     */
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6)
            throws LastErrorException;

    /** process_vm_readv(2); {@code local} and {@code remote} are addresses of iovec arrays. */
    public static native long process_vm_readv(int pid, long local, long liovcnt, long remote, long riovcnt,
                                               long flags) throws LastErrorException;

    public static native int sched_getaffinity(int pid, long size, long mask) throws LastErrorException;

    public static native int sched_setaffinity(int pid, long size, long mask) throws LastErrorException;

    /** glibc's and musl's strerror text, for errors outside the generated table. */
    public static native String strerror(int errnum);
}
