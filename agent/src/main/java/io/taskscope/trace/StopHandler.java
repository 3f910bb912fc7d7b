package io.taskscope.trace;

import static io.taskscope.linux.Ptrace.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.taskscope.decode.SyscallDecoder;
import io.taskscope.decode.SyscallDecoder.Decoded;
import io.taskscope.decode.SyscallTable;
import io.taskscope.event.SignalEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.linux.Arch;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Ptrace;
import io.taskscope.linux.Signals;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the tracer does at each stop: tell the stop's kind from the wait status, read and decode a selected
 * system call, follow forks and execs through the {@link Registry}, and resume the thread in its mode
 * (PTRACE_SYSCALL or PTRACE_CONT) with the signal it was going to get. Tracer thread only.
 *
 * <p>A stop is always resumed: a failure while decoding one call (a decoder's bug, a hostile tracee's memory)
 * is counted and logged once per kind by {@link Failures}, the call is reported with raw arguments, and the
 * thread goes on.
 */
final class StopHandler {
    private static final Logger log = LoggerFactory.getLogger(StopHandler.class);

    private final TraceOptions options;
    private final Emitter emit;
    private final Registry registry;
    private final Modes modes;
    private final Failures failures;
    private final SyscallTable table;
    private final boolean[] selected;
    private final boolean compatSelected;
    private final SyscallDecoder decoder;
    private final int nativeAuditArch;
    private final int restartSyscall;
    private final ProcessMemory memory = new ProcessMemory();
    private final Memory infoMem = new Memory(SYSCALL_INFO_SIZE);
    private final long infoAddr = Pointer.nativeValue(infoMem);
    private final Memory msgMem = new Memory(8);
    private final Memory regsMem = new Memory(512);
    private final Memory iovMem = new Memory(16);
    private final Memory sigMem = new Memory(128);
    private boolean useRegset;
    Affinity affinity;
    long stops, syscalls;

    StopHandler(TraceOptions options, Emitter emit, Registry registry, Modes modes, Failures failures) {
        this.options = options;
        this.emit = emit;
        this.registry = registry;
        this.modes = modes;
        this.failures = failures;
        this.table = SyscallTable.current();
        this.restartSyscall = table.byName("restart_syscall").map(io.taskscope.decode.Syscall::number).orElse(-1);
        this.selected = options.filter().selection(table);
        this.compatSelected = options.filter().tracesEverything();
        this.decoder = new SyscallDecoder(table, options.stringLimit(), options.decodeFds());
        this.nativeAuditArch = Arch.current() == Arch.X86_64 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
    }

    /** Handles one wait status; returns whether a tracee was resumed running (worth spinning for). */
    boolean handle(int tid, int status) {
        stops++;
        long seen = System.nanoTime();
        Tracee t = registry.tracee(tid);
        if (t == null) {
            t = registry.adopt(tid, status);
            if (t == null) return false;
        }
        if (exited(status) || signaled(status)) {
            registry.gone(t, status, this);
            return false;
        }
        if (!stopped(status)) return false;
        int sig = stopSig(status);
        if (sig == (SIGTRAP | 0x80)) {
            if (t.detaching) return detachNow(t, 0);
            t.proc.stats.countStop();
            try {
                syscallStop(t, seen);
            } catch (RuntimeException e) {
                failures.record("syscall stop", t.nr >= 0 ? table.name(t.nr) : "?", e);
                t.entryDecoded = null;
            }
            return resume(t, 0, t.inSyscall);
        }
        int ev = event(status);
        switch (ev) {
            case 0 -> {
                // Signal-delivery-stop: the signal goes on to the tracee (SIGCHLD included).
                if (options.signalEvents() && !t.detaching) offerSignal(t, sig);
                return t.detaching ? detachNow(t, sig) : resume(t, sig, false);
            }
            case EVENT_STOP -> {
                if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
                    // Group-stop: leave it stopped (state T) but keep listening for SIGCONT.
                    if (t.detaching) return detachNow(t, 0);
                    if (options.signalEvents() && !t.listening) {
                        emit.offer(new SignalEvent(emit.now(), SignalEvent.Kind.STOPPED, t.proc.pid, t.tid,
                                t.proc.container, t.proc.comm, Signals.name(sig), 0, null, null, null, null, null, null));
                    }
                    t.listening = true;
                    quiet(PTRACE_LISTEN, t.tid, 0);
                    return false;
                }
                t.listening = false; // PTRACE_INTERRUPT (a detach, a mode switch), a new tracee's first stop, SIGCONT
                if (t.grabbed) {
                    // strace reads the call number at an attached thread's first stop, where the kernel has none to
                    // give (0): a restart_syscall that follows "resumes" call 0 (read on x86_64) in its output
                    t.grabbed = false;
                    t.prevNr = 0;
                }
                return t.detaching ? detachNow(t, 0) : resume(t, 0, false);
            }
            case EVENT_FORK, EVENT_VFORK, EVENT_CLONE -> {
                int child = (int) eventMessage(t.tid);
                if (child > 0) {
                    try {
                        registry.newTask(t, child, ev);
                    } catch (RuntimeException e) {
                        failures.record("fork event", "clone", e);
                    }
                }
                return t.detaching ? detachNow(t, 0) : resume(t, 0, true);
            }
            case EVENT_EXEC -> {
                long former = eventMessage(t.tid);
                try {
                    t = registry.exec(t, former);
                } catch (RuntimeException e) {
                    failures.record("exec event", "execve", e);
                }
                return t.detaching ? detachNow(t, 0) : resume(t, 0, true);
            }
            default -> {
                return t.detaching ? detachNow(t, 0) : resume(t, 0, false);
            }
        }
    }

    /**
     * Resumes in the thread's mode, first taking a mode switch asked for while it ran.
     *
     * @param insideSyscall whether the stop lies inside a system call (its exit stop is still to come)
     */
    boolean resume(Tracee t, int sig, boolean insideSyscall) {
        if (t.pendingMode != null) modes.apply(t, insideSyscall);
        try {
            Ptrace.ptrace(t.mode == TraceMode.SYSCALL ? PTRACE_SYSCALL : PTRACE_CONT, t.tid, 0, sig);
            t.resumedNanos = System.nanoTime();
            return true;
        } catch (LastErrorException e) {
            // ESRCH: killed (SIGKILL) while stopped; its exit status follows.
            return false;
        }
    }

    /** Detaches at a stop; returns false (nothing resumed for us to spin on). */
    boolean detachNow(Tracee t, int sig) {
        if (affinity != null) affinity.restore(t.proc.pid, t.tid);
        quiet(PTRACE_DETACH, t.tid, sig);
        registry.released(t);
        return false;
    }

    // ---------------------------------------------------------------- system calls

    private void syscallStop(Tracee t, long seen) {
        if (t.inSyscall && !t.selected) {
            // The exit of a call the filter rejected: stops alternate entry/exit (event stops in between
            // do not count), so nothing needs reading. Saves a ptrace call on half the unselected stops.
            syscalls++;
            t.inSyscall = false;
            modes.sampleStop(t, seen);
            return;
        }
        if (useRegset) {
            regsetStop(t);
            return;
        }
        try {
            Ptrace.ptrace(PTRACE_GET_SYSCALL_INFO, t.tid, SYSCALL_INFO_SIZE, infoAddr);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EIO || e.getErrorCode() == Errno.EINVAL) {
                log.debug("PTRACE_GET_SYSCALL_INFO unsupported (kernel < 5.3); using PTRACE_GETREGSET");
                useRegset = true;
                regsetStop(t);
            }
            return;
        }
        int op = infoMem.getByte(SI_OP);
        if (op == SYSCALL_INFO_ENTRY) {
            long nr = infoMem.getLong(SI_NR);
            boolean compat = infoMem.getInt(SI_ARCH) != nativeAuditArch;
            entry(t, nr, compat);
            if (t.selected) {
                for (int i = 0; i < 6; i++) t.args[i] = infoMem.getLong(SI_ARGS + 8L * i);
                if (!compat && decoder.decodesAtEntry(nr)) t.entryDecoded = decodeNow(t, infoMem.getLong(SI_SP));
            }
        } else if (op == SYSCALL_INFO_EXIT) {
            syscalls++;
            if (t.inSyscall) modes.sampleStop(t, seen);
            if (t.inSyscall && t.selected) {
                emitSyscall(t, infoMem.getLong(SI_RVAL), infoMem.getByte(SI_IS_ERROR) != 0, true);
            }
            rememberExit(t);
            syscallDone(t);
        }
    }

    private void entry(Tracee t, long nr, boolean compat) {
        t.inSyscall = true;
        t.nr = nr;
        t.compat = compat;
        if (compat && !t.proc.compatReported) {
            // strace: "[ Process PID=N runs in 32 bit mode. ]". Said once per process, on stderr, so that
            // a filtered trace of an i386 program is not silently empty.
            t.proc.compatReported = true;
            log.warn("process {} ({}) runs in 32-bit mode (i386 ABI): taskscope decodes only 64-bit calls, so its "
                    + "syscalls are {}", t.proc.pid, t.proc.comm,
                    compatSelected ? "shown raw (syscall_32bit_N)" : "not shown under this filter");
        }
        t.selected = compat ? compatSelected : nr >= 0 && nr < selected.length && selected[(int) nr];
        if (t.selected) t.entryNanos = System.nanoTime();
    }

    /** At an exit stop: the call a later restart_syscall resumes (a restart_syscall resumes what its own did). */
    private void rememberExit(Tracee t) {
        if (!t.inSyscall) t.prevNr = 0;
        else if (t.nr != restartSyscall) t.prevNr = t.nr;
    }

    private static void syscallDone(Tracee t) {
        t.inSyscall = false;
        t.selected = false;
        t.entryDecoded = null;
    }

    /** The pre-5.3 path: registers, and entry/exit told apart by alternation. */
    private void regsetStop(Tracee t) {
        long iov = Pointer.nativeValue(iovMem);
        iovMem.setLong(0, Pointer.nativeValue(regsMem));
        iovMem.setLong(8, 512);
        try {
            Ptrace.ptrace(PTRACE_GETREGSET, t.tid, NT_PRSTATUS, iov);
        } catch (LastErrorException e) {
            return;
        }
        boolean x86 = Arch.current() == Arch.X86_64;
        if (!t.inSyscall) {
            long nr = x86 ? regsMem.getLong(15 * 8) : regsMem.getLong(8 * 8);
            entry(t, nr, false);
            if (t.selected) {
                int[] x86Args = {14, 13, 12, 7, 9, 8};
                for (int i = 0; i < 6; i++) t.args[i] = regsMem.getLong(8L * (x86 ? x86Args[i] : i));
                if (decoder.decodesAtEntry(nr)) t.entryDecoded = decodeNow(t, regsMem.getLong(8L * (x86 ? 19 : 31)));
            }
        } else {
            syscalls++;
            long rval = x86 ? regsMem.getLong(10 * 8) : regsMem.getLong(0);
            if (t.selected) emitSyscall(t, rval, rval < 0 && rval > -4096, true);
            rememberExit(t);
            syscallDone(t);
        }
    }

    /** Decodes at the entry stop; {@code sp} is the thread's stack pointer (rt_sigreturn's frame is there). */
    private Decoded decodeNow(Tracee t, long sp) {
        memory.target(t.tid);
        memory.stackPointer(sp);
        return decoder.decode(t.proc.pid, t.nr, t.args, 0, false, false, memory);
    }

    private Decoded decodeNow(Tracee t, long rval, boolean failed, boolean finished) {
        memory.target(t.tid);
        return decoder.decode(t.proc.pid, t.nr, t.args, rval, failed, finished, memory);
    }

    /** The call a thread was in when it ended: strace's "= ?". */
    void emitUnfinished(Tracee t) {
        try {
            emitSyscall(t, 0, false, false);
        } catch (RuntimeException e) {
            failures.record("unfinished call", table.name(t.nr), e);
        }
    }

    private void emitSyscall(Tracee t, long rval, boolean failed, boolean finished) {
        if (finished ? !options.filter().shows(failed) : !options.filter().showsUnfinished()) return;
        String name;
        Decoded d;
        String retPath = null;
        if (t.compat) {
            name = "syscall_32bit_" + t.nr; // another ABI (i386 on x86_64): reported as such, not misdecoded
            d = raw(t, 0xffffffffL);
        } else {
            name = table.name(t.nr);
            try {
                if (t.nr == restartSyscall) { // strace: restart_syscall(<... resuming interrupted clock_nanosleep ...>)
                    d = new Decoded(List.of("<... resuming interrupted " + (t.prevNr >= 0 ? table.name(t.prevNr) : "system call")
                            + " ...>"), null, null);
                } else if (t.entryDecoded != null) {
                    memory.target(t.tid);
                    d = decoder.complete(t.entryDecoded, t.proc.pid, t.nr, t.args, rval, failed, finished, memory);
                } else {
                    d = decodeNow(t, rval, failed, finished);
                }
                if (finished && !failed) retPath = decoder.returnedFd(t.proc.pid, t.nr, t.args, rval, memory);
            } catch (RuntimeException e) {
                failures.record("decoding", name, e); // the call is still reported, with raw arguments
                d = raw(t, -1L);
            }
        }
        long dur = finished ? (System.nanoTime() - t.entryNanos) / 1000 : -1;
        String errno = finished && failed ? Errno.name((int) -rval) : null;
        long ret = !finished ? 0 : failed ? -1 : rval;
        ModeStats m = t.proc.stats;
        Double coverage = modes.budgeted(t.proc) ? m.coverage(System.nanoTime()) : null;
        emit.offer(new SyscallEvent(emit.wall(t.entryNanos), t.proc.pid, t.tid, t.proc.container, t.proc.comm,
                t.proc.uid, name, d.args(), d.path(), d.flags(), ret, errno, dur, retPath, coverage, d.retDetail()));
    }

    private static Decoded raw(Tracee t, long mask) {
        List<String> raw = new ArrayList<>(6);
        for (long a : t.args) raw.add("0x" + Long.toHexString(a & mask));
        return new Decoded(raw, null, null);
    }

    // ---------------------------------------------------------------- signals and helpers

    /**
     * The siginfo of a signal-delivery-stop, as a SignalEvent: x86_64 and aarch64 share siginfo_t's layout
     * (signo, errno, code, then the union at 16: pid and uid; for SIGCHLD status at 24 and utime, stime at
     * 32 and 40; for faults the address at 16).
     */
    private void offerSignal(Tracee t, int sig) {
        int code = 0;
        Integer pid = null, uid = null, status = null;
        Long utime = null, stime = null, addr = null;
        try {
            Ptrace.ptrace(Ptrace.PTRACE_GETSIGINFO, t.tid, 0, Pointer.nativeValue(sigMem));
            code = sigMem.getInt(8);
            boolean fault = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE;
            if (sig == SIGCHLD && code > 0) {
                pid = sigMem.getInt(16);
                uid = sigMem.getInt(20);
                status = sigMem.getInt(24);
                utime = sigMem.getLong(32);
                stime = sigMem.getLong(40);
            } else if (fault && code > 0) {
                addr = sigMem.getLong(16);
            } else if (code <= 0) { // SI_USER, SI_QUEUE, SI_TKILL...: sent by a process
                pid = sigMem.getInt(16); // SI_TIMER: the timer id
                uid = sigMem.getInt(20); // SI_TIMER: the overrun count
                if (code == -1 || code == -2) addr = sigMem.getLong(24); // SI_QUEUE, SI_TIMER: the sigval
            }
        } catch (LastErrorException e) {
            // the thread went away; the line still names the signal
        }
        emit.offer(new SignalEvent(emit.now(), SignalEvent.Kind.DELIVERED, t.proc.pid, t.tid, t.proc.container,
                t.proc.comm, Signals.name(sig), code, pid, uid, status, utime, stime, addr));
    }

    private long eventMessage(int tid) {
        try {
            Ptrace.ptrace(PTRACE_GETEVENTMSG, tid, 0, Pointer.nativeValue(msgMem));
            return msgMem.getLong(0);
        } catch (LastErrorException e) {
            return -1;
        }
    }

    static void quiet(int request, int tid, long data) {
        try {
            Ptrace.ptrace(request, tid, 0, data);
        } catch (LastErrorException e) {
            // the thread is gone; its exit status follows
        }
    }
}
