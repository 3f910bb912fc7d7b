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
 * Reads a stopped tracee's memory with pread on /proc/PID/mem, one fd per process kept open (one syscall per
 * read, as process_vm_readv). Not process_vm_readv: on a page registered with userfaultfd and never served, it
 * blocks forever (measured here), and a hostile tracee could so freeze the tracer thread and with it every tracee;
 * /proc/PID/mem answers EIO there. Reads never cross a page boundary in one call, so a string ending just before an
 * unmapped page is still read. A cached fd goes stale at an exec (the old address space) or when the PID is reused:
 * {@link #forget} at exec, and a failed read reopens once. Owned by the tracer thread; buffers are allocated once.
 */
final class ProcessMemory implements TraceeMemory {
    private static final int PAGE = 4096;
    private static final int BUF = 64 * 1024;

    private final Memory buffer = new Memory(BUF);
    private static final int MAX_FDS = 256;
    private final long bufferAddr = Pointer.nativeValue(buffer);
    private final java.util.Map<Integer, Integer> fds = new java.util.HashMap<>();
    private int pid;

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
        for (int attempt = 0; attempt < 2; attempt++) {
            int fd = fd(pid);
            if (fd < 0) return -1;
            try {
                long n = Ptrace.pread(fd, bufferAddr, len, addr);
                if (n > 0 || attempt == 1) return (int) n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EIO || e.getErrorCode() == Errno.EFAULT) return -1; // unmapped, or unserved
            }
            forget(pid); // stale: the process exec'd or its PID was reused; reopen once
        }
        return -1;
    }

    private int fd(int pid) {
        Integer fd = fds.get(pid);
        if (fd != null) return fd;
        if (fds.size() >= MAX_FDS) forgetAll();
        try {
            int f = Ptrace.open(io.taskscope.proc.ProcPath.system().file(pid, "mem").toString(),
                    0 /* O_RDONLY */ | 0x80000 /* O_CLOEXEC */);
            fds.put(pid, f);
            return f;
        } catch (LastErrorException e) {
            return -1;
        }
    }

    /** The process exec'd or ended: its cached fd names an address space that is gone. */
    void forget(int pid) {
        Integer fd = fds.remove(pid);
        if (fd != null) LibC.close(fd);
    }

    void forgetAll() {
        for (int fd : fds.values()) LibC.close(fd);
        fds.clear();
    }

    @Override
    public Optional<String> fdPath(int pid, int fd) {
        if (fd == -100) return ProcFs.link(pid, "cwd"); // AT_FDCWD: strace -y shows the cwd
        return ProcFs.fdPath(pid, fd);
    }
}
