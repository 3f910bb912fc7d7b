package io.taskscope.decode;

/**
 * Read access to a stopped tracee's memory, the only I/O a decoder may do. Everything read is
 * hostile input: lengths are capped by the caller, and a failed read is a normal outcome (the
 * decoder then prints the address, as strace does).
 */
public interface TraceeMemory {
    /**
     * Reads up to {@code len} bytes at {@code addr} into {@code dst[off..]}; returns how many were
     * read (fewer when the range runs into an unmapped page), or -1 when nothing could be read.
     */
    int read(long addr, byte[] dst, int off, int len);

    /** The thread's stack pointer at the entry of the call being decoded (rt_sigreturn's frame); 0 when unknown. */
    default long stackPointer() {
        return 0;
    }

    /** The target of {@code /proc/<pid>/fd/<fd>}, for {@code -y}; empty when unknown. */
    default java.util.Optional<String> fdPath(int pid, int fd) {
        return java.util.Optional.empty();
    }
}
