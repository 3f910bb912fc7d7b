package io.taskscope.decode;

import io.taskscope.linux.Arch;
import io.taskscope.linux.Signals;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Process calls as strace prints them (its clone.c, futex.c, wait.c, prctl.c): clone and clone3 arguments, futex
 * operations, wait statuses and struct rusage, prctl options and arch_prctl's codes. Whole-call printers return
 * the argument list, since how many arguments strace prints depends on the operation.
 */
final class ProcessStructs {
    private final Xlat xlat;
    private final Strings strings;
    private final boolean x86;

    ProcessStructs(Xlat xlat, Arch arch, Strings strings) {
        this.xlat = xlat;
        this.strings = strings;
        this.x86 = arch == Arch.X86_64;
    }

    private static ByteBuffer struct(long addr, int size, TraceeMemory mem) {
        return Structs.struct(addr, size, mem);
    }

    private static String ptr(long v) {
        return Strings.ptr(v);
    }

    private static String intAt(long addr, TraceeMemory mem) {
        return Structs.intAt(addr, mem);
    }

    private static String timespec(long addr, TraceeMemory mem) {
        return Structs.timespec(addr, mem);
    }

    private static String signal(int sig) {
        return Structs.signal(sig);
    }

    /** [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] and its signal, stop and continue forms. */
    static String waitStatus(int status) {
        String s;
        if ((status & 0x7f) == 0) {
            s = "WIFEXITED(s) && WEXITSTATUS(s) == " + ((status >> 8) & 0xff);
        } else if ((status & 0xff) == 0x7f) {
            s = "WIFSTOPPED(s) && WSTOPSIG(s) == " + Signals.name((status >> 8) & 0xff);
        } else if (status == 0xffff) {
            s = "WIFCONTINUED(s)";
        } else {
            s = "WIFSIGNALED(s) && WTERMSIG(s) == " + Signals.name(status & 0x7f) + ((status & 0x80) != 0 ? " && WCOREDUMP(s)" : "");
        }
        int rest = status >>> 16;
        return "[{" + s + "}" + (rest != 0 ? " | 0x" + Integer.toHexString(rest << 16) : "") + "]";
    }

    /** clone's arguments, printed as strace names them (child_stack=, flags=, parent_tid=, tls=, child_tidptr=). */
    java.util.List<String> clone(long[] args, boolean ok, TraceeMemory mem) {
        long flags = args[0] & ~0xffL;
        int sig = (int) (args[0] & 0xff);
        long ptid = args[2], ctid = x86 ? args[3] : args[4], tls = x86 ? args[4] : args[3];
        java.util.List<String> out = new java.util.ArrayList<>(5);
        out.add("child_stack=" + ptr(args[1]));
        String f = flags != 0 ? xlat.flags("clone_flags", flags) + (sig != 0 ? "|" + signal(sig) : "") : signal(sig);
        out.add("flags=" + f);
        if ((flags & (0x00100000L | 0x1000L)) != 0) {
            out.add("parent_tid=" + (ok ? intAt(ptid, mem) : ptr(ptid)));
        }
        if ((flags & 0x00080000L) != 0) out.add("tls=" + ptr(tls));
        if ((flags & (0x01000000L | 0x00200000L)) != 0) out.add("child_tidptr=" + ptr(ctid));
        return out;
    }

    /** clone3's struct clone_args, and " => {parent_tid=[N]}" once the kernel filled it in. */
    String cloneArgs(long addr, long size, boolean ok, TraceeMemory mem) {
        if (size < 64) return ptr(addr);
        ByteBuffer b = struct(addr, (int) Math.min(size, 88), mem);
        if (b == null) return ptr(addr);
        long flags = b.getLong(0), pidfd = b.getLong(8), childTid = b.getLong(16), parentTid = b.getLong(24);
        long exitSignal = b.getLong(32), stack = b.getLong(40), stackSize = b.getLong(48), tls = b.getLong(56);
        StringBuilder s = new StringBuilder("{flags=").append(xlat.flagsOrZero("clone_flags", flags));
        if ((flags & 0x1000L) != 0) s.append(", pidfd=").append(ptr(pidfd));
        if ((flags & (0x01000000L | 0x00200000L)) != 0) s.append(", child_tid=").append(ptr(childTid));
        if ((flags & 0x00100000L) != 0) s.append(", parent_tid=").append(ptr(parentTid));
        s.append(", exit_signal=").append(exitSignal >= 0 && exitSignal < Integer.MAX_VALUE ? signal((int) exitSignal)
                : Long.toUnsignedString(exitSignal));
        s.append(", stack=").append(ptr(stack)).append(", stack_size=0x").append(Long.toHexString(stackSize));
        if ((flags & 0x00080000L) != 0) s.append(", tls=").append(ptr(tls));
        s.append('}');
        if (ok && (flags & 0x00100000L) != 0) s.append(" => {parent_tid=").append(intAt(parentTid, mem)).append('}');
        return s.toString();
    }

    /** futex's arguments: how many and which depends on the operation, as in strace's futex.c. */
    java.util.List<String> futex(long[] args, TraceeMemory mem) {
        int op = (int) args[1];
        int cmd = op & 127;
        String val = Integer.toUnsignedString((int) args[2]);
        String val2 = Integer.toUnsignedString((int) args[3]);
        java.util.List<String> out = new java.util.ArrayList<>(6);
        out.add(ptr(args[0]));
        String name = xlat.name("futex_ops", op & ~256L & 0xffffffffL);
        out.add(name == null ? "0x" + Integer.toHexString(op) + " /* FUTEX_??? */" : (op & 256) != 0 ? name + "|FUTEX_CLOCK_REALTIME" : name);
        String bitset = xlat.nameOr("futex_bitset", args[5] & 0xffffffffL, "");
        switch (cmd) {
            case 0 -> { out.add(val); out.add(timespec(args[3], mem)); }
            case 6, 13 -> out.add(timespec(args[3], mem));
            case 9 -> { out.add(val); out.add(timespec(args[3], mem)); out.add(bitset); }
            case 10 -> { out.add(val); out.add(bitset); }
            case 3 -> { out.add(val); out.add(val2); out.add(ptr(args[4])); }
            case 4, 12 -> { out.add(val); out.add(val2); out.add(ptr(args[4])); out.add(Integer.toUnsignedString((int) args[5])); }
            case 5 -> { out.add(val); out.add(val2); out.add(ptr(args[4])); out.add(wakeOp((int) args[5])); }
            case 11 -> { out.add(val); out.add(timespec(args[3], mem)); out.add(ptr(args[4])); }
            case 1, 2 -> out.add(val);
            case 7, 8 -> { }
            default -> { out.add(val); out.add(ptr(args[3])); out.add(ptr(args[4])); out.add("0x" + Integer.toHexString((int) args[5])); }
        }
        return out;
    }

    private static final String[] WAKE_OPS = {"FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR", "FUTEX_OP_ANDN", "FUTEX_OP_XOR"};
    private static final String[] WAKE_CMPS = {"FUTEX_OP_CMP_EQ", "FUTEX_OP_CMP_NE", "FUTEX_OP_CMP_LT", "FUTEX_OP_CMP_LE",
            "FUTEX_OP_CMP_GT", "FUTEX_OP_CMP_GE"};

    private static String wakeOp(int v) {
        int op = (v >>> 28) & 7, cmp = (v >>> 24) & 15;
        String shift = ((v >>> 28) & 8) != 0 ? "FUTEX_OP_OPARG_SHIFT<<28|" : "";
        return shift + (op < WAKE_OPS.length ? WAKE_OPS[op] : op + " /* FUTEX_OP_??? */") + "<<28|0x" + Integer.toHexString((v >>> 12) & 0xfff)
                + "<<12|" + (cmp < WAKE_CMPS.length ? WAKE_CMPS[cmp] : cmp + " /* FUTEX_OP_CMP_??? */") + "<<24|0x"
                + Integer.toHexString(v & 0xfff);
    }

    /** struct rusage, abbreviated as strace prints it without -v: {ru_utime={tv_sec=0, tv_usec=529}, ru_stime=..., ...}. */
    static String rusage(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        ByteBuffer b = struct(addr, 32, mem);
        if (b == null) return ptr(addr);
        return "{ru_utime={tv_sec=" + b.getLong(0) + ", tv_usec=" + b.getLong(8) + "}, ru_stime={tv_sec=" + b.getLong(16)
                + ", tv_usec=" + b.getLong(24) + "}, ...}";
    }

    private static final int SIGCHLD = 17; // x86_64 and aarch64 alike

    /**
     * A siginfo_t the kernel wrote (waitid's infop), as strace's printsiginfo_at prints it: "{}" when it holds no
     * signal (WNOHANG and nothing to report), else the fields a signal line shows; for SIGCHLD the child's pid, uid,
     * status and CPU ticks (signo, errno, code, then the union at 16: pid, uid, status at 24, utime and stime at 32
     * and 40, the same on x86_64 and aarch64).
     */
    static String siginfo(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 48, mem);
        if (b == null) return ptr(addr);
        int signo = b.getInt(0), code = b.getInt(8);
        if (signo == 0) return "{}";
        boolean child = signo == SIGCHLD && code > 0; // from the kernel: CLD_EXITED, CLD_KILLED...
        boolean sender = code <= 0 || child; // SI_USER, SI_QUEUE...: the sender's pid and uid
        var sg = new io.taskscope.event.SignalEvent(0, io.taskscope.event.SignalEvent.Kind.DELIVERED, 0, 0, null, null,
                Signals.name(signo), code, sender ? b.getInt(16) : null, sender ? b.getInt(20) : null,
                child ? b.getInt(24) : null, child ? b.getLong(32) : null, child ? b.getLong(40) : null, null);
        return StraceFormat.siginfo(sg);
    }

    private static final long PR_SET_PDEATHSIG = 1, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_GET_KEEPCAPS = 7,
            PR_SET_KEEPCAPS = 8, PR_GET_TIMING = 13, PR_SET_TIMING = 14, PR_SET_NAME = 15, PR_GET_NAME = 16,
            PR_GET_SECCOMP = 21, PR_GET_TIMERSLACK = 30, PR_SET_TIMERSLACK = 29, PR_TASK_PERF_EVENTS_DISABLE = 31,
            PR_TASK_PERF_EVENTS_ENABLE = 32, PR_SET_CHILD_SUBREAPER = 36, PR_SET_NO_NEW_PRIVS = 38,
            PR_SET_THP_DISABLE = 41, PR_SET_IO_FLUSHER = 57, PR_SET_VMA = 0x53564d41L;

    /** prctl's arguments: the option's name, then what strace's prctl.c prints for it (the rest in hex). */
    List<String> prctl(long[] args, boolean ok, TraceeMemory mem) {
        long option = args[0] & 0xffffffffL;
        List<String> out = new ArrayList<>(5);
        out.add(xlat.nameOr("prctl_options", option, " /* PR_??? */"));
        int rest = 1;
        if (option == PR_GET_KEEPCAPS || option == PR_GET_SECCOMP || option == PR_GET_TIMERSLACK || option == PR_GET_TIMING
                || option == PR_GET_DUMPABLE || option == PR_TASK_PERF_EVENTS_DISABLE || option == PR_TASK_PERF_EVENTS_ENABLE) {
            return out;
        } else if (option == PR_SET_CHILD_SUBREAPER || option == PR_SET_KEEPCAPS || option == PR_SET_TIMING) {
            out.add(Long.toUnsignedString(args[1]));
            return out;
        } else if (option == PR_SET_DUMPABLE) {
            out.add(xlat.nameOr("pr_dumpable", args[1], " /* SUID_DUMP_??? */"));
            return out;
        } else if (option == PR_SET_NAME) {
            out.add(strings.fixedString(args[1], 15, mem));
            return out;
        } else if (option == PR_GET_NAME) {
            out.add(ok ? strings.fixedString(args[1], 16, mem) : ptr(args[1]));
            return out;
        } else if (option == PR_SET_PDEATHSIG) {
            out.add(Long.compareUnsigned(args[1], 128) > 0 ? Long.toUnsignedString(args[1]) : signal((int) args[1]));
            return out;
        } else if (option == PR_SET_TIMERSLACK) {
            out.add(Long.toString(args[1]));
            return out;
        } else if (option == PR_SET_NO_NEW_PRIVS || option == PR_SET_THP_DISABLE || option == PR_SET_IO_FLUSHER) {
            out.add(Long.toUnsignedString(args[1]));
            rest = 2;
        } else if (option == PR_SET_VMA) {
            out.add(xlat.nameOr("pr_set_vma", args[1], " /* PR_SET_VMA_??? */"));
            if (args[1] == 0) { // PR_SET_VMA_ANON_NAME
                out.add(ptr(args[2]));
                out.add(Long.toUnsignedString(args[3]));
                out.add(strings.string(args[4], mem));
                return out;
            }
            rest = 2;
        }
        for (int i = rest; i < 5; i++) out.add(Strings.hex(args[i]));
        return out;
    }

    /** arch_prctl's second argument: ARCH_GET_FS/GS write an address ([0x7f...]); ARCH_GET_CPUID has none (null). */
    static String archPrctlArg(long code, long arg, boolean ok, TraceeMemory mem) {
        code &= 0xffffffffL;
        if (code == 0x1011) return null;
        if (code == 0x1003 || code == 0x1004) {
            ByteBuffer b = ok ? struct(arg, 8, mem) : null;
            return b == null ? ptr(arg) : "[" + ptr(b.getLong(0)) + "]";
        }
        return Strings.hex(arg);
    }
}
