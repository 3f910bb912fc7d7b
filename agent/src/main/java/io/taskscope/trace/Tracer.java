package io.taskscope.trace;

import static io.taskscope.linux.Ptrace.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.taskscope.TaskscopeException;
import io.taskscope.decode.SyscallDecoder;
import io.taskscope.decode.SyscallDecoder.Decoded;
import io.taskscope.decode.SyscallTable;
import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SignalEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.linux.Arch;
import io.taskscope.linux.Errno;
import io.taskscope.linux.LibC;
import io.taskscope.linux.Ptrace;
import io.taskscope.linux.Signals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ptrace engine: one dedicated platform thread that owns every ptrace and waitpid call
 * (the kernel binds a tracee to the thread that attached it; any other thread gets ESRCH).
 *
 * <p>Other threads talk to it through {@link #attach}, {@link #detach}, {@link #tracees} and
 * {@link #close}: requests go into a queue and the tracer thread is woken, within a millisecond,
 * by a signal that interrupts its blocking waitpid (the signal's handler is a no-op installed
 * without SA_RESTART, so waitpid returns EINTR) or by an unpark when it has nothing to trace.
 * There is no timed polling while idle.
 *
 * <p>Per stop the hot path is: waitpid, PTRACE_GET_SYSCALL_INFO into a preallocated buffer, an
 * array lookup of the syscall number in the filter's selection, PTRACE_SYSCALL. Only selected
 * calls are decoded (tracee memory read, strings built) and become events; events go to an
 * {@link EventSink} that must not block (an {@link io.taskscope.event.EventQueue}).
 *
 * <p>Tracees are never left stopped: {@link #close} interrupts and detaches every thread within
 * 500 ms; if the tracer thread or the whole JVM dies (even by SIGKILL), the kernel detaches the
 * tracees and they run on, because the tracer never sets PTRACE_O_EXITKILL.
 */
public final class Tracer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracer.class);

    /** A real-time signal neither HotSpot nor glibc (32, 33) nor musl (32-34) use internally. */
    static final int WAKE_SIGNAL = 62;
    private static final int OPTIONS = O_TRACESYSGOOD | O_TRACECLONE | O_TRACEFORK | O_TRACEVFORK | O_TRACEEXEC;
    private static final int WAIT_FLAGS = WALL | WNOTHREAD;
    private static final int RUNNING = 0, IN_WAITPID = 1, PARKED = 2;
    static final long DETACH_TIMEOUT_MILLIS = 500;

    private final TraceOptions options;
    private final EventSink sink;
    private final SyscallTable table;
    private final boolean[] selected;
    private final boolean compatSelected;
    private final SyscallDecoder decoder;
    private final int nativeAuditArch;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final CompletableFuture<Void> allGone = new CompletableFuture<>();
    private final int ownPid = LibC.getpid();
    private volatile int tracerTid;
    private volatile int blockState = RUNNING;
    private volatile boolean multiple;
    private volatile List<TracedProcess> snapshot = List.of();
    private volatile Throwable failure;
    private volatile long lastSubmitNanos, lastPickupNanos;

    // Counters: written by the tracer thread only, read racily by stats().
    private long stops, syscalls, events, dropped, spinHits, blockedWaits;

    // Tracer-thread state.
    private final IntMap<Tracee> tracees = new IntMap<>();
    private final Map<Integer, Proc> procs = new HashMap<>();
    private final Set<Integer> released = new HashSet<>();
    private final Memory statusMem = new Memory(8);
    private final Memory infoMem = new Memory(SYSCALL_INFO_SIZE);
    private final Memory regsMem = new Memory(512);
    private final Memory iovMem = new Memory(16);
    private final long statusAddr = Pointer.nativeValue(statusMem);
    private final long infoAddr = Pointer.nativeValue(infoMem);
    private final ProcessMemory memory = new ProcessMemory();
    private final long baseWallNanos;
    private final long baseMonoNanos;
    private boolean useRegset;
    private boolean closing;
    private boolean attachedOnce;
    private Affinity affinity;

    /** One traced thread. */
    private static final class Tracee {
        int tid;
        final Proc proc;
        boolean inSyscall, selected, compat, detaching, listening;
        long nr, entryNanos;
        final long[] args = new long[6];
        Decoded entryDecoded;

        Tracee(int tid, Proc proc) {
            this.tid = tid;
            this.proc = proc;
        }
    }

    /** One traced process (thread group). */
    private static final class Proc {
        final int pid;
        final long startTime;
        final int ppid;
        String comm;
        int uid;
        final String container;
        int threads;
        boolean compatReported;
        CompletableFuture<Void> detached;
        byte[] savedAffinity;

        Proc(int pid, long startTime, int ppid, String comm, int uid, String container) {
            this.pid = pid;
            this.startTime = startTime;
            this.ppid = ppid;
            this.comm = comm;
            this.uid = uid;
            this.container = container;
        }
    }

    private sealed interface Request permits Attach, Detach, Close {
        CompletableFuture<?> future();
    }

    private record Attach(int pid, CompletableFuture<TracedProcess> future, boolean[] taken) implements Request {}

    private record Detach(int pid, CompletableFuture<Void> future, boolean[] taken) implements Request {}

    private record Close(CompletableFuture<Void> future, boolean[] taken) implements Request {}

    private Tracer(TraceOptions options, EventSink sink) {
        this.options = options;
        this.sink = sink;
        this.table = SyscallTable.current();
        this.selected = options.filter().selection(table);
        this.compatSelected = options.filter().tracesEverything();
        this.decoder = new SyscallDecoder(table, options.stringLimit(), options.decodeFds());
        this.nativeAuditArch = Arch.current() == Arch.X86_64 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
        Instant now = Instant.now();
        this.baseMonoNanos = System.nanoTime();
        this.baseWallNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        this.thread = new Thread(this::run, "taskscope-tracer");
        thread.setDaemon(true);
    }

    /**
     * Starts a tracer thread. Nothing is traced until {@link #attach}.
     *
     * @param sink receives syscall and process events on the tracer thread; must not block
     */
    public static Tracer start(TraceOptions options, EventSink sink) {
        Tracer t = new Tracer(options, sink);
        t.thread.start();
        try {
            t.started.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            t.close();
            throw TaskscopeException.runtime("the tracer thread did not start: " + e, "run with --debug and report it");
        }
        return t;
    }

    /**
     * Attaches to every thread of process {@code pid}. Completes with the process once all its
     * threads are seized; completes exceptionally with a {@link TaskscopeException} naming the
     * problem: no such process (usage), taskscope itself or its ancestor (usage), already traced
     * by another tracer (runtime, naming it), not permitted (runtime).
     */
    public CompletableFuture<TracedProcess> attach(int pid) {
        return submit(new Attach(pid, new CompletableFuture<>(), new boolean[1]));
    }

    /** Detaches from every thread of process {@code pid}; they run on. */
    public CompletableFuture<Void> detach(int pid) {
        return submit(new Detach(pid, new CompletableFuture<>(), new boolean[1]));
    }

    /** The processes traced now (a snapshot; cheap, any thread). */
    public List<TracedProcess> tracees() {
        return snapshot;
    }

    /**
     * Whether more than one thread has been traced at some moment: strace's "[pid N] " prefix from then on.
     * Monotonic, set on the tracer thread before the new thread's first event, so a writer that lags
     * behind (a child that forked, ran and exited before its lines were written) still prefixes them.
     */
    public boolean tracedMoreThanOneThread() {
        return multiple;
    }

    /** Whether a process with this PID exists now (what attach checks first), for callers that validate several. */
    public static boolean processExists(int pid) {
        return pid > 0 && ProcFs.exists(pid);
    }

    /** Whether the tracer thread runs (for health checks). */
    public boolean isAlive() {
        return thread.isAlive() && !terminated.isDone();
    }

    /** Why the tracer thread ended, when it ended on an error. */
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    /** How long the last request waited before the tracer thread took it (tests check the 10 ms promise). */
    long lastPickupNanos() {
        return lastPickupNanos;
    }

    public TracerStats stats() {
        return new TracerStats(stops, syscalls, events, dropped, spinHits, blockedWaits);
    }

    /**
     * Completes when, after at least one successful attach, no traced process is left (every
     * one exited or was detached): the point where {@code taskscope trace -p} ends.
     */
    public CompletableFuture<Void> allGone() {
        return allGone;
    }

    /** Completes when the tracer thread has ended (after close, or on a fatal error). */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** Detaches from everything (within 500 ms) and ends the tracer thread. Idempotent. */
    @Override
    public void close() {
        if (!thread.isAlive()) return;
        CompletableFuture<Void> f = submit(new Close(new CompletableFuture<>(), new boolean[1]));
        try {
            f.get(DETACH_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS);
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("tracer did not finish detaching in time: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- requests and wake-up

    private <T> CompletableFuture<T> submit(Request r) {
        @SuppressWarnings("unchecked") CompletableFuture<T> f = (CompletableFuture<T>) r.future();
        if (terminated.isDone()) {
            f.completeExceptionally(TaskscopeException.runtime("the tracer has stopped", failure == null ? null
                    : "it failed with " + failure));
            return f;
        }
        lastSubmitNanos = System.nanoTime();
        requests.add(r);
        if (Thread.currentThread() == thread) return f; // picked up at the top of the loop
        boolean[] taken = taken(r);
        // A wake-up can be lost if it lands just before the tracer enters waitpid; repeat until taken.
        for (int i = 0; i < 500 && !taken[0] && thread.isAlive(); i++) {
            wake();
            for (int s = 0; s < 20 && !taken[0]; s++) Thread.onSpinWait();
            if (!taken[0]) LockSupport.parkNanos(i < 5 ? 200_000 : 2_000_000);
        }
        if (!thread.isAlive() && !f.isDone()) {
            f.completeExceptionally(TaskscopeException.runtime("the tracer has stopped", null));
        }
        return f;
    }

    private static boolean[] taken(Request r) {
        if (r instanceof Attach a) return a.taken();
        if (r instanceof Detach d) return d.taken();
        return ((Close) r).taken();
    }

    private void wake() {
        int s = blockState;
        if (s == IN_WAITPID) {
            try {
                Ptrace.tgkill(ownPid, tracerTid, WAKE_SIGNAL);
            } catch (LastErrorException e) {
                log.debug("wake-up signal failed: {}", e.toString());
            }
        } else if (s == PARKED) {
            LockSupport.unpark(thread);
        }
    }

    private void installWakeHandler() {
        // struct sigaction (glibc and musl, 64-bit): handler 8, sa_mask 128, sa_flags 4 (+4 pad), restorer 8.
        Memory act = new Memory(152);
        act.clear();
        act.setLong(0, Ptrace.harmlessHandlerAddress());
        act.setInt(136, 0); // no SA_RESTART: a blocked waitpid returns EINTR
        Ptrace.sigaction(WAKE_SIGNAL, Pointer.nativeValue(act), 0);
        Memory set = new Memory(128);
        set.clear();
        set.setLong(0, 1L << (WAKE_SIGNAL - 1));
        Ptrace.pthread_sigmask(1 /* SIG_UNBLOCK */, Pointer.nativeValue(set), 0);
    }

    // ---------------------------------------------------------------- the tracer thread

    private void run() {
        try {
            tracerTid = Ptrace.gettid();
            installWakeHandler();
            started.complete(null);
            loop();
        } catch (Throwable t) {
            failure = t;
            log.error("tracer thread failed; detaching from everything", t);
            started.completeExceptionally(t);
        } finally {
            try {
                detachAll();
            } catch (Throwable t) {
                log.error("detaching failed; the kernel releases the tracees when this thread ends", t);
            }
            Request r;
            while ((r = requests.poll()) != null) {
                taken(r)[0] = true;
                if (r instanceof Close c) c.future().complete(null);
                else r.future().completeExceptionally(TaskscopeException.runtime("the tracer has stopped", null));
            }
            allGone.complete(null);
            terminated.complete(null);
        }
    }

    private void loop() {
        final long spinNanos = options.placement() == Placement.SPIN ? options.spinMicros() * 1000L : 0;
        long spinUntil = 0;
        while (true) {
            if (!requests.isEmpty()) {
                drainRequests();
                if (closing) return;
            }
            if (tracees.size() == 0) {
                blockState = PARKED;
                if (requests.isEmpty()) LockSupport.park(this);
                blockState = RUNNING;
                continue;
            }
            int tid = 0;
            if (spinUntil != 0) {
                try {
                    tid = Ptrace.waitpid(-1, statusAddr, WAIT_FLAGS | WNOHANG);
                } catch (LastErrorException e) {
                    tid = -1;
                    if (e.getErrorCode() == Errno.ECHILD) forgetAll();
                }
            }
            if (tid == 0) { // not polling, or nothing yet: poll on or block
                if (spinUntil != 0 && System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                if (spinUntil != 0) spinOutcome(false);
                spinUntil = 0;
                blockState = IN_WAITPID;
                if (!requests.isEmpty()) {
                    blockState = RUNNING;
                    continue;
                }
                blockedWaits++;
                try {
                    tid = Ptrace.waitpid(-1, statusAddr, WAIT_FLAGS);
                } catch (LastErrorException e) {
                    tid = -1; // EINTR: a request arrived
                    if (e.getErrorCode() == Errno.ECHILD) forgetAll();
                } finally {
                    blockState = RUNNING;
                }
                if (tid <= 0) continue;
            } else if (tid < 0) {
                continue;
            } else if (spinUntil != 0) {
                spinHits++;
                spinOutcome(true);
            }
            boolean resumed = handle(tid, statusMem.getInt(0));
            spinUntil = resumed && spinNanos > 0 && spinWorthIt() ? System.nanoTime() + spinNanos : 0;
        }
    }

    /*
     * Adaptive polling. Polling after a resume pays off when the tracee's next stop comes within the
     * window: the tracer then never sleeps and is never woken across CPUs. It is pure waste when the
     * tracee blocks (an idle server) or when the CPUs are contended (the tracee is not scheduled
     * promptly, and the polling tracer takes a CPU from it). The hit rate, an exponentially weighted
     * average, decides; while it is low, one resume in 32 still polls, to notice when it pays again.
     */
    private int spinRate = 1 << 16;   // hit rate in 1/65536 units, starting optimistic
    private int spinProbe;

    private boolean spinWorthIt() {
        return spinRate >= (1 << 15) || (++spinProbe & 31) == 0;
    }

    private void spinOutcome(boolean hit) {
        spinRate += ((hit ? 1 << 16 : 0) - spinRate) >> 4;
    }

    private void drainRequests() {
        Request r;
        while ((r = requests.poll()) != null) {
            taken(r)[0] = true;
            lastPickupNanos = System.nanoTime() - lastSubmitNanos;
            try {
                if (r instanceof Attach a) {
                    a.future().complete(doAttach(a.pid()));
                } else if (r instanceof Detach d) {
                    doDetach(d.pid(), d.future());
                } else if (r instanceof Close c) {
                    closing = true;
                    // Completed after detachAll, in run()'s finally, via the remaining-requests drain.
                    requests.add(c);
                    return;
                }
            } catch (TaskscopeException e) {
                r.future().completeExceptionally(e);
            } catch (RuntimeException e) {
                log.debug("request failed", e);
                r.future().completeExceptionally(TaskscopeException.runtime("tracer request failed: " + e, null, e));
            }
        }
    }

    // ---------------------------------------------------------------- stops

    /** Handles one wait status; returns whether a tracee was resumed running (worth spinning for). */
    private boolean handle(int tid, int status) {
        stops++;
        Tracee t = tracees.get(tid);
        if (t == null) {
            t = adopt(tid, status);
            if (t == null) return false;
        }
        if (exited(status) || signaled(status)) {
            gone(t, status);
            return false;
        }
        if (!stopped(status)) return false;
        int sig = stopSig(status);
        if (sig == (SIGTRAP | 0x80)) {
            if (t.detaching) return detachNow(t, 0);
            syscallStop(t);
            return resume(t, 0);
        }
        int ev = event(status);
        switch (ev) {
            case 0 -> {
                // Signal-delivery-stop: the signal goes on to the tracee (SIGCHLD included).
                if (options.signalEvents() && !t.detaching) offerSignal(t, sig);
                return t.detaching ? detachNow(t, sig) : resume(t, sig);
            }
            case EVENT_STOP -> {
                if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
                    // Group-stop: leave it stopped (state T) but keep listening for SIGCONT.
                    if (t.detaching) return detachNow(t, 0);
                    if (options.signalEvents() && !t.listening) {
                        offer(new SignalEvent(wall(System.nanoTime()), SignalEvent.Kind.STOPPED, t.proc.pid, t.tid,
                                t.proc.container, t.proc.comm, Signals.name(sig), 0, null, null, null, null, null, null));
                    }
                    t.listening = true;
                    ptraceQuiet(PTRACE_LISTEN, t.tid, 0);
                    return false;
                }
                t.listening = false; // PTRACE_INTERRUPT, a new tracee's first stop, or SIGCONT after LISTEN
                return t.detaching ? detachNow(t, 0) : resume(t, 0);
            }
            case EVENT_FORK, EVENT_VFORK, EVENT_CLONE -> {
                int child = (int) eventMessage(t.tid);
                if (child > 0) newTask(t, child, ev);
                return t.detaching ? detachNow(t, 0) : resume(t, 0);
            }
            case EVENT_EXEC -> {
                t = exec(t);
                return t.detaching ? detachNow(t, 0) : resume(t, 0);
            }
            default -> {
                return t.detaching ? detachNow(t, 0) : resume(t, 0);
            }
        }
    }

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
                pid = sigMem.getInt(16);
                uid = sigMem.getInt(20);
            }
        } catch (LastErrorException e) {
            // the thread went away; the line still names the signal
        }
        offer(new SignalEvent(wall(System.nanoTime()), SignalEvent.Kind.DELIVERED, t.proc.pid, t.tid, t.proc.container,
                t.proc.comm, Signals.name(sig), code, pid, uid, status, utime, stime, addr));
    }

    private final Memory sigMem = new Memory(128);

    /** A START or EXEC event: the process as it is now (exe and command line read from /proc). */
    private void offerProcess(ProcessEvent.Kind kind, Proc p) {
        offer(new ProcessEvent(wall(System.nanoTime()), kind, p.pid, p.ppid, p.container, p.comm,
                ProcFs.exe(p.pid).orElse(null), ProcFs.cmdline(p.pid), p.uid, null, null));
    }

    private boolean resume(Tracee t, int sig) {
        try {
            Ptrace.ptrace(PTRACE_SYSCALL, t.tid, 0, sig);
            return true;
        } catch (LastErrorException e) {
            // ESRCH: killed (SIGKILL) while stopped; its exit status follows.
            return false;
        }
    }

    private void syscallStop(Tracee t) {
        if (t.inSyscall && !t.selected) {
            // The exit of a call the filter rejected: stops alternate entry/exit (event stops in between
            // do not count), so nothing needs reading. Saves a ptrace call on half the unselected stops.
            syscalls++;
            t.inSyscall = false;
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
            if (t.selected) {
                t.entryNanos = System.nanoTime();
                for (int i = 0; i < 6; i++) t.args[i] = infoMem.getLong(SI_ARGS + 8L * i);
                if (!compat && decoder.decodesAtEntry(nr)) t.entryDecoded = decodeNow(t, 0, false, false);
            }
        } else if (op == SYSCALL_INFO_EXIT) {
            syscalls++;
            if (t.inSyscall && t.selected) {
                emitSyscall(t, infoMem.getLong(SI_RVAL), infoMem.getByte(SI_IS_ERROR) != 0, true);
            }
            t.inSyscall = false;
            t.selected = false;
            t.entryDecoded = null;
        }
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
            t.inSyscall = true;
            t.nr = nr;
            t.compat = false;
            t.selected = nr >= 0 && nr < selected.length && selected[(int) nr];
            if (t.selected) {
                t.entryNanos = System.nanoTime();
                int[] x86Args = {14, 13, 12, 7, 9, 8};
                for (int i = 0; i < 6; i++) t.args[i] = regsMem.getLong(8L * (x86 ? x86Args[i] : i));
                if (decoder.decodesAtEntry(nr)) t.entryDecoded = decodeNow(t, 0, false, false);
            }
        } else {
            syscalls++;
            long rval = x86 ? regsMem.getLong(10 * 8) : regsMem.getLong(0);
            if (t.selected) emitSyscall(t, rval, rval < 0 && rval > -4096, true);
            t.inSyscall = false;
            t.selected = false;
            t.entryDecoded = null;
        }
    }

    private Decoded decodeNow(Tracee t, long rval, boolean failed, boolean finished) {
        memory.target(t.tid);
        return decoder.decode(t.proc.pid, t.nr, t.args, rval, failed, finished, memory);
    }

    private void emitSyscall(Tracee t, long rval, boolean failed, boolean finished) {
        if (finished ? !options.filter().shows(failed) : !options.filter().showsUnfinished()) return;
        String name;
        Decoded d;
        if (t.compat) {
            name = "syscall_32bit_" + t.nr; // another ABI (i386 on x86_64): reported as such, not misdecoded
            List<String> raw = new ArrayList<>(6);
            for (long a : t.args) raw.add("0x" + Long.toHexString(a & 0xffffffffL));
            d = new Decoded(raw, null, null);
        } else {
            name = table.name(t.nr);
            d = t.entryDecoded != null ? decoder.complete(t.entryDecoded, t.nr, rval, failed, finished)
                    : decodeNow(t, rval, failed, finished);
        }
        long dur = finished ? (System.nanoTime() - t.entryNanos) / 1000 : -1;
        String errno = finished && failed ? Errno.name((int) -rval) : null;
        long ret = !finished ? 0 : failed ? -1 : rval;
        String retPath = finished && !failed && !t.compat ? decoder.returnedFd(t.proc.pid, t.nr, t.args, rval, memory) : null;
        offer(new SyscallEvent(wall(t.entryNanos), t.proc.pid, t.tid, t.proc.container, t.proc.comm, t.proc.uid,
                name, d.args(), d.path(), d.flags(), ret, errno, dur, retPath));
    }

    private void offer(Event e) {
        if (sink.offer(e)) events++;
        else dropped++;
    }

    private long wall(long monoNanos) {
        return baseWallNanos + (monoNanos - baseMonoNanos);
    }

    private long eventMessage(int tid) {
        Memory m = statusMem; // 8 bytes, free between waitpid calls
        try {
            Ptrace.ptrace(PTRACE_GETEVENTMSG, tid, 0, statusAddr);
            return m.getLong(0);
        } catch (LastErrorException e) {
            return -1;
        }
    }

    private static void ptraceQuiet(int request, int tid, long data) {
        try {
            Ptrace.ptrace(request, tid, 0, data);
        } catch (LastErrorException e) {
            // the thread is gone; its exit status follows
        }
    }

    // ---------------------------------------------------------------- threads and processes

    /** A stop from a tid we do not know: a new thread or child whose creator's event comes later. */
    private Tracee adopt(int tid, int status) {
        if (!stopped(status)) return null; // exit of something we already forgot
        int tgid = ProcFs.statusInt(tid, "Tgid", tid);
        Proc p = procs.get(tgid);
        boolean newProcess = p == null;
        if (newProcess) p = newProc(tgid, ProcFs.ppid(tgid), null);
        Tracee t = new Tracee(tid, p);
        tracees.put(tid, t);
        p.threads++;
        if (newProcess && !options.followForks()) {
            t.detaching = true;
            released.add(tid); // its creator's fork event, still to come, must not re-register it
        }
        publish();
        return t;
    }

    private void newTask(Tracee parent, int child, int ev) {
        if (tracees.get(child) != null || released.remove(child)) return; // its first stop came first: adopt() handled it
        int tgid = ev == EVENT_CLONE ? ProcFs.statusInt(child, "Tgid", child) : child;
        boolean thread = tgid == parent.proc.pid && ev == EVENT_CLONE;
        Proc p = thread ? parent.proc : newProc(child, parent.proc.pid, parent.proc);
        Tracee t = new Tracee(child, p);
        p.threads++;
        tracees.put(child, t);
        if (!thread && !options.followForks()) {
            // Not following children: release it at its first stop (auto-attached by the kernel).
            t.detaching = true;
        } else if (parent.detaching) {
            t.detaching = true;
        }
        publish();
    }

    private Proc newProc(int pid, int ppid, Proc parent) {
        String comm = parent != null ? parent.comm : ProcFs.comm(pid);
        int uid = parent != null ? parent.uid : ProcFs.statusInt(pid, "Uid", -1);
        String container = parent != null ? parent.container : options.containerOf().apply(pid);
        Proc p = new Proc(pid, ProcFs.startTime(pid), ppid, comm, uid, container);
        procs.put(pid, p);
        if (options.processEvents()) offerProcess(ProcessEvent.Kind.START, p);
        return p;
    }

    private Tracee exec(Tracee t) {
        long former = eventMessage(t.tid);
        if (former > 0 && former != t.tid) {
            // execve from a non-leader thread: it now has the leader's tid; the old leader is gone.
            Tracee execing = tracees.remove((int) former);
            if (execing != null) {
                tracees.remove(t.tid);
                execing.tid = t.tid;
                tracees.put(t.tid, execing);
                t = execing;
            }
        }
        Proc p = t.proc;
        int threads = 0;
        for (Tracee other : tracees.values()) if (other.proc == p) threads++;
        p.threads = threads;
        p.comm = ProcFs.comm(p.pid);
        p.uid = ProcFs.statusInt(p.pid, "Uid", p.uid);
        if (options.processEvents()) offerProcess(ProcessEvent.Kind.EXEC, p);
        publish();
        return t;
    }

    private void gone(Tracee t, int status) {
        if (t.inSyscall && t.selected && !t.detaching) emitSyscall(t, 0, false, false);
        tracees.remove(t.tid);
        Proc p = t.proc;
        p.threads--;
        if (t.tid == p.pid && options.processEvents() && !t.detaching) {
            Integer code = exited(status) ? exitStatus(status) : null;
            String signal = signaled(status) ? io.taskscope.linux.Signals.name(termSig(status)) : null;
            offer(new ProcessEvent(wall(System.nanoTime()), ProcessEvent.Kind.EXIT, p.pid, p.ppid, p.container,
                    p.comm, null, null, p.uid, code, signal));
        }
        if (p.threads <= 0) procGone(p);
        publish();
    }

    private void procGone(Proc p) {
        procs.remove(p.pid);
        publish(); // before completing futures, so that callers see the new state
        if (p.detached != null) p.detached.complete(null);
        if (affinity != null) affinity.forget(p.pid);
        if (procs.isEmpty() && attachedOnce) allGone.complete(null);
    }

    /** The kernel says we have no tracees left: forget what we thought we had. */
    private void forgetAll() {
        for (Tracee t : tracees.values()) {
            tracees.remove(t.tid);
            t.proc.threads--;
            if (t.proc.threads <= 0) procGone(t.proc);
        }
        publish();
    }

    private void publish() {
        List<TracedProcess> out = new ArrayList<>(procs.size());
        int threads = 0;
        for (Proc p : procs.values()) {
            out.add(new TracedProcess(p.pid, p.startTime, p.comm, p.threads, p.container));
            threads += p.threads;
        }
        if (threads > 1) multiple = true;
        snapshot = List.copyOf(out);
    }

    // ---------------------------------------------------------------- attach and detach

    private TracedProcess doAttach(int pid) {
        if (pid <= 0 || !ProcFs.exists(pid)) {
            throw TaskscopeException.usage("no process with PID " + pid, "list processes with 'taskscope ps'");
        }
        int tgid = ProcFs.statusInt(pid, "Tgid", pid);
        String comm = ProcFs.comm(tgid);
        if (tgid == ownPid) {
            throw TaskscopeException.usage("PID " + pid + " is taskscope itself", "trace another process");
        }
        for (int a = ProcFs.ppid(ownPid), guard = 0; a > 0 && guard < 64; a = ProcFs.ppid(a), guard++) {
            if (a == tgid) {
                throw TaskscopeException.usage("PID " + pid + " (" + comm + ") is an ancestor of taskscope; tracing it could stop taskscope itself",
                        "trace it from another session");
            }
        }
        if (ProcFs.ppid(tgid) == ownPid) {
            // The JDK's process reaper thread waits for our children and would consume their ptrace stops.
            throw TaskscopeException.usage("PID " + pid + " (" + comm + ") is a child of taskscope", "trace processes started elsewhere");
        }
        Proc existing = procs.get(tgid);
        if (existing != null && existing.startTime == ProcFs.startTime(tgid)) {
            return new TracedProcess(tgid, existing.startTime, existing.comm, existing.threads, existing.container);
        }
        if (existing != null) {
            // The PID came back as another process (pid and start time are the key): forget the old one.
            procs.remove(tgid);
            tracees.values().removeIf(x -> x.proc == existing);
        }
        int tracer = ProcFs.statusInt(tgid, "TracerPid", 0);
        if (tracer != 0) throw alreadyTraced(tgid, comm, tracer);

        Proc p = new Proc(tgid, ProcFs.startTime(tgid), ProcFs.ppid(tgid), comm, ProcFs.statusInt(tgid, "Uid", -1),
                options.containerOf().apply(tgid));
        procs.put(tgid, p);
        Set<Integer> seen = new HashSet<>();
        List<Tracee> attached = new ArrayList<>();
        // Threads may be created while we attach: scan /proc/PID/task until a pass finds nothing new.
        for (int round = 0; round < 100; round++) {
            boolean added = false;
            for (int tid : ProcFs.threads(tgid)) {
                if (!seen.add(tid) || tracees.get(tid) != null) continue;
                try {
                    Ptrace.ptrace(PTRACE_SEIZE, tid, 0, OPTIONS);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.ESRCH) continue; // thread ended meanwhile
                    if (attached.isEmpty()) {
                        procs.remove(tgid);
                        char state = ProcFs.statFields(tgid).map(f -> f[0].charAt(0)).orElse('X');
                        if (state == 'Z' || state == 'X') {
                            throw TaskscopeException.usage("process " + pid + " (" + comm + ") has exited", "check the PID with 'taskscope ps'");
                        }
                        int now = ProcFs.statusInt(tgid, "TracerPid", 0);
                        if (now != 0 && now != tracerTid) throw alreadyTraced(tgid, comm, now);
                        throw TaskscopeException.runtime("cannot trace PID " + tgid + " (" + comm + "): "
                                + Errno.describe(e.getErrorCode()),
                                "taskscope needs CAP_SYS_PTRACE (add it to the monitor container's linuxParameters)"
                                        + " and kernel.yama.ptrace_scope <= 1");
                    }
                    continue; // a thread auto-attached through a clone event we have not read yet
                }
                Tracee t = new Tracee(tid, p);
                tracees.put(tid, t);
                p.threads++;
                attached.add(t);
                added = true;
                ptraceQuiet(PTRACE_INTERRUPT, tid, 0); // a first stop, from which syscall tracing starts
            }
            if (!added) break;
        }
        if (p.threads == 0) {
            procs.remove(tgid);
            throw TaskscopeException.usage("process " + pid + " ended before taskscope could attach", "check the PID with 'taskscope ps'");
        }
        attachedOnce = true;
        if (options.placement() == Placement.COLOCATE) {
            if (affinity == null) affinity = new Affinity();
            affinity.colocate(p.pid, attached.stream().mapToInt(t -> t.tid).toArray());
        }
        // docs/events.md: "start" is a traced process forked, or one the tracer attached to.
        if (options.processEvents()) offerProcess(ProcessEvent.Kind.START, p);
        publish();
        log.debug("attached to {} ({}), {} threads", tgid, comm, p.threads);
        return new TracedProcess(tgid, p.startTime, p.comm, p.threads, p.container);
    }

    private static TaskscopeException alreadyTraced(int pid, String comm, int tracer) {
        String by = ProcFs.comm(tracer);
        if (by.startsWith("taskscope")) {
            // TracerPid names a thread: ours is "taskscope-tracer", in a running 'taskscope agent' or 'trace'.
            int owner = ProcFs.statusInt(tracer, "Tgid", tracer);
            return TaskscopeException.runtime("PID " + pid + " (" + comm + ") is already traced by taskscope's tracer thread "
                    + tracer + " in process " + owner + " (a running taskscope agent or trace)",
                    "trace only PIDs that agent traces (they are relayed), or stop it first");
        }
        return TaskscopeException.runtime("PID " + pid + " (" + comm + ") is already traced by PID " + tracer + " ("
                + by + ")", "a process can have only one tracer: stop that one first");
    }

    private void doDetach(int pid, CompletableFuture<Void> future) {
        int tgid = ProcFs.statusInt(pid, "Tgid", pid);
        Proc p = procs.get(tgid);
        if (p == null) {
            future.completeExceptionally(TaskscopeException.usage("PID " + pid + " is not traced", "see the traced processes"));
            return;
        }
        p.detached = future;
        for (Tracee t : tracees.values()) if (t.proc == p) beginDetach(t);
    }

    private void beginDetach(Tracee t) {
        if (t.detaching) return;
        t.detaching = true;
        // Running (or listening in a group-stop): interrupt it so that it stops where we can detach.
        ptraceQuiet(PTRACE_INTERRUPT, t.tid, 0);
    }

    /** Detaches at a stop; returns false (nothing resumed for us to spin on). */
    private boolean detachNow(Tracee t, int sig) {
        if (affinity != null) affinity.restore(t.proc.pid, t.tid);
        ptraceQuiet(PTRACE_DETACH, t.tid, sig);
        tracees.remove(t.tid);
        Proc p = t.proc;
        p.threads--;
        if (p.threads <= 0) procGone(p);
        publish();
        return false;
    }

    /** On close or failure: interrupt every tracee and detach each at its next stop, for at most 500 ms. */
    private void detachAll() {
        if (tracees.size() == 0) {
            if (affinity != null) affinity.releaseTracer();
            return;
        }
        for (Tracee t : tracees.values()) beginDetach(t);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DETACH_TIMEOUT_MILLIS);
        while (tracees.size() > 0 && System.nanoTime() < deadline) {
            int tid;
            try {
                tid = Ptrace.waitpid(-1, statusAddr, WAIT_FLAGS | WNOHANG);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ECHILD) forgetAll();
                break;
            }
            if (tid > 0) handle(tid, statusMem.getInt(0));
            else LockSupport.parkNanos(200_000);
        }
        if (tracees.size() > 0) {
            log.warn("{} threads did not stop within {} ms; the kernel detaches them when the tracer thread ends",
                    tracees.size(), DETACH_TIMEOUT_MILLIS);
        }
        if (affinity != null) affinity.releaseTracer();
    }
}
