package io.taskscope.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * Reads another process's memory with process_vm_readv(2): no ptrace stop, no effect on the
 * target. Needs PTRACE_MODE_ATTACH rights over it (CAP_SYS_PTRACE across users or containers).
 */
public final class RemoteMemory implements AutoCloseable {
    private final int pid;
    private final Memory iov = new Memory(32); // local iovec, then remote iovec

    public RemoteMemory(int pid) {
        this.pid = pid;
    }

    /**
     * Reads up to {@code len} bytes at {@code address} into {@code buf}; returns how many were read,
     * fewer when the range runs into an unmapped page. Throws EFAULT when nothing at address is
     * mapped, EPERM/ESRCH as the kernel says.
     */
    public int read(long address, Memory buf, int len) throws LastErrorException {
        int n = (int) Math.min(len, buf.size());
        iov.setLong(0, Pointer.nativeValue(buf));
        iov.setLong(8, n);
        iov.setLong(16, address);
        iov.setLong(24, n);
        long got = LibC.process_vm_readv(pid, Pointer.nativeValue(iov), 1, Pointer.nativeValue(iov) + 16, 1, 0);
        return (int) got;
    }

    /** A little-endian 64-bit word at {@code address} (x86_64 and aarch64 are both little-endian). */
    public long readLong(long address, Memory scratch) throws LastErrorException {
        if (read(address, scratch, 8) != 8) throw new LastErrorException(Errno.EFAULT);
        return scratch.getLong(0);
    }

    @Override
    public void close() {
        iov.close();
    }
}
