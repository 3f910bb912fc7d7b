package io.taskscope.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The tracer's native calls: ptrace(2), waitpid(2) with {@code __WALL}, tgkill(2), and the
 * installation of the wake-up signal. Direct-mapped, pointers as {@code long} addresses, so that
 * the tracer's hot path (one waitpid, one PTRACE_GET_SYSCALL_INFO and one PTRACE_SYSCALL per
 * stop) neither boxes nor allocates.
 *
 * <p>ptrace requests are bound to the calling <em>thread</em>: only the thread that attached may
 * issue them (others get ESRCH). {@code io.taskscope.trace.Tracer} owns one such thread.
 */
public final class Ptrace {
    static {
        NativeBoot.register(Ptrace.class);
    }

    private Ptrace() {}

    // Requests (linux/ptrace.h).
    public static final int PTRACE_PEEKDATA = 2;
    public static final int PTRACE_CONT = 7;
    public static final int PTRACE_DETACH = 17;
    public static final int PTRACE_SYSCALL = 24;
    public static final int PTRACE_SETOPTIONS = 0x4200;
    public static final int PTRACE_GETEVENTMSG = 0x4201;
    public static final int PTRACE_GETSIGINFO = 0x4202;
    public static final int PTRACE_GETREGSET = 0x4204;
    public static final int PTRACE_SEIZE = 0x4206;
    public static final int PTRACE_INTERRUPT = 0x4207;
    public static final int PTRACE_LISTEN = 0x4208;
    public static final int PTRACE_GET_SYSCALL_INFO = 0x420e;

    // Options.
    public static final int O_TRACESYSGOOD = 1;
    public static final int O_TRACEFORK = 2;
    public static final int O_TRACEVFORK = 4;
    public static final int O_TRACECLONE = 8;
    public static final int O_TRACEEXEC = 0x10;

    // Events, in bits 16..23 of a wait status.
    public static final int EVENT_FORK = 1;
    public static final int EVENT_VFORK = 2;
    public static final int EVENT_CLONE = 3;
    public static final int EVENT_EXEC = 4;
    public static final int EVENT_STOP = 128;

    // struct ptrace_syscall_info (linux/ptrace.h): op u8, pad[3], arch u32, ip u64, sp u64, then the union.
    public static final int SYSCALL_INFO_NONE = 0;
    public static final int SYSCALL_INFO_ENTRY = 1;
    public static final int SYSCALL_INFO_EXIT = 2;
    public static final int SYSCALL_INFO_SECCOMP = 3;
    public static final int SYSCALL_INFO_SIZE = 88;
    public static final int SI_OP = 0, SI_ARCH = 4, SI_SP = 16, SI_NR = 24, SI_ARGS = 32, SI_RVAL = 24, SI_IS_ERROR = 32;

    // AUDIT_ARCH_* (linux/audit.h): tells a 64-bit tracee from a compat (32-bit) one.
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    public static final int AUDIT_ARCH_I386 = 0x40000003;
    public static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;
    public static final int AUDIT_ARCH_ARM = 0x40000028;

    // waitpid options.
    public static final int WNOHANG = 1;
    public static final int WNOTHREAD = 0x20000000;
    public static final int WALL = 0x40000000;

    // Signals the tracer reasons about (same numbers on x86_64 and aarch64).
    public static final int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGUSR1 = 10, SIGTRAP = 5, SIGCHLD = 17,
            SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGTERM = 15,
            SIGILL = 4, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;

    /** NT_PRSTATUS, the general registers for PTRACE_GETREGSET. */
    public static final int NT_PRSTATUS = 1;

    public static native long ptrace(long request, int pid, long addr, long data) throws LastErrorException;

    /** waitpid(2); {@code status} is the address of an int. Returns the tid, 0 with WNOHANG, -1 on error. */
    public static native int waitpid(int pid, long status, int options) throws LastErrorException;

    /** sigaction(2) with glibc/musl's {@code struct sigaction} at {@code act} (152 bytes on 64-bit). */
    public static native int sigaction(int signum, long act, long oldact) throws LastErrorException;

    /** pthread_sigmask(3) (how: 0 BLOCK, 1 UNBLOCK, 2 SETMASK); sets are 128-byte sigset_t. */
    public static native int pthread_sigmask(int how, long set, long oldset);

    public static native int open(String path, int flags) throws LastErrorException;

    public static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    private static final long SYS_GETTID = Arch.current() == Arch.X86_64 ? 186 : 178;
    private static final long SYS_TGKILL = Arch.current() == Arch.X86_64 ? 234 : 131;

    public static int gettid() {
        return (int) LibC.syscall(SYS_GETTID, 0, 0, 0, 0, 0, 0);
    }

    public static void tgkill(int tgid, int tid, int sig) throws LastErrorException {
        LibC.syscall(SYS_TGKILL, tgid, tid, sig, 0, 0, 0);
    }

    /**
     * Address of a libc function that does nothing harmful when called as a signal handler. The
     * wake-up signal only needs to <em>have</em> a handler installed without SA_RESTART, so that a
     * blocked waitpid returns EINTR; running Java code in a signal handler would be unsafe, so the
     * handler is libc's async-signal-safe {@code getpid}, which ignores its arguments.
     */
    public static long harmlessHandlerAddress() {
        return Pointer.nativeValue(NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("getpid"));
    }

    // Wait-status helpers (sys/wait.h macros).
    public static boolean exited(int status) {
        return (status & 0x7f) == 0;
    }

    public static int exitStatus(int status) {
        return (status >> 8) & 0xff;
    }

    public static boolean signaled(int status) {
        int s = status & 0x7f;
        return s != 0 && s != 0x7f;
    }

    public static int termSig(int status) {
        return status & 0x7f;
    }

    public static boolean stopped(int status) {
        return (status & 0xff) == 0x7f;
    }

    public static int stopSig(int status) {
        return (status >> 8) & 0xff;
    }

    public static int event(int status) {
        return (status >>> 16) & 0xff;
    }
}
