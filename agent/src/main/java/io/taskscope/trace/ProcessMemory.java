package io.taskscope.trace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.taskscope.decode.TraceeMemory;
import io.taskscope.linux.Errno;
import io.taskscope.linux.LibC;
import io.taskscope.linux.Ptrace;
import java.util.Optional;

/**
 * Reads a stopped tracee's memory with process_vm_readv (one syscall, no ptrace round trips),
 * falling back to pread on /proc/PID/mem where process_vm_readv is refused (it is subject to
 * the same ptrace access check, but some seccomp profiles block it). Reads never cross a page
 * boundary in one call, so a string ending just before an unmapped page is still read.
 * Owned by the tracer thread; buffers are allocated once.
 */
final class ProcessMemory implements TraceeMemory {
    private static final int PAGE = 4096;
    private static final int BUF = 64 * 1024;

    private final Memory buffer = new Memory(BUF);
    private final Memory iov = new Memory(32); // local iovec, then remote iovec
    private final long bufferAddr = Pointer.nativeValue(buffer);
    private final long iovAddr = Pointer.nativeValue(iov);
    private int pid;
    private boolean useProcMem;

    private long stackPointer;

    /** Points the reader at a tracee; called before each decode. */
    void target(int pid) {
        this.pid = pid;
        this.stackPointer = 0;
    }

    /** The stack pointer at the entry stop being decoded (set after {@link #target}). */
    void stackPointer(long sp) {
        this.stackPointer = sp;
    }

    @Override
    public long stackPointer() {
        return stackPointer;
    }

    @Override
    public int read(long addr, byte[] dst, int off, int len) {
        if (addr == 0 || len <= 0) return -1;
        int total = 0;
        while (total < len) {
            long at = addr + total;
            int chunk = (int) Math.min(Math.min(len - total, BUF), PAGE - (at & (PAGE - 1)));
            int n = readChunk(at, chunk);
            if (n <= 0) break;
            buffer.read(0, dst, off + total, n);
            total += n;
            if (n < chunk) break;
        }
        return total == 0 ? -1 : total;
    }

    private int readChunk(long addr, int len) {
        if (!useProcMem) {
            iov.setLong(0, bufferAddr);
            iov.setLong(8, len);
            iov.setLong(16, addr);
            iov.setLong(24, len);
            try {
                return (int) LibC.process_vm_readv(pid, iovAddr, 1, iovAddr + 16, 1, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EFAULT || e.getErrorCode() == Errno.ESRCH) return -1;
                useProcMem = true; // EPERM/ENOSYS: seccomp or an old kernel; /proc/PID/mem still works
            }
        }
        int fd;
        try {
            fd = Ptrace.open(io.taskscope.proc.ProcPath.system().file(pid, "mem").toString(), 0 /* O_RDONLY */ | 0x80000 /* O_CLOEXEC */);
        } catch (LastErrorException e) {
            return -1;
        }
        try {
            return (int) Ptrace.pread(fd, bufferAddr, len, addr);
        } catch (LastErrorException e) {
            return -1;
        } finally {
            LibC.close(fd);
        }
    }

    @Override
    public Optional<String> fdPath(int pid, int fd) {
        if (fd == -100) return ProcFs.link(pid, "cwd"); // AT_FDCWD: strace -y shows the cwd
        return ProcFs.fdPath(pid, fd);
    }
}
