package io.taskscope.trace;

import static io.taskscope.linux.Ptrace.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.taskscope.TaskscopeException;
import io.taskscope.linux.Errno;
import io.taskscope.linux.LibC;
import io.taskscope.linux.Ptrace;
import io.taskscope.trace.Requests.Attach;
import io.taskscope.trace.Requests.Close;
import io.taskscope.trace.Requests.Detach;
import io.taskscope.trace.Requests.Request;
import io.taskscope.trace.Requests.SetMode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ptrace engine: one dedicated platform thread that owns every ptrace and waitpid call
 * (the kernel binds a tracee to the thread that attached it; any other thread gets ESRCH).
 *
 * <p>Other threads talk to it through {@link #attach}, {@link #detach}, {@link #setMode}, {@link #tracees} and
 * {@link #close}: requests go into a queue and the tracer thread is woken within a millisecond ({@link Requests}).
 *
 * <p>Each traced thread is in a {@link TraceMode}: lifecycle (PTRACE_CONT: only fork, exec, exit and signals stop
 * it) or syscall (PTRACE_SYSCALL: every call stops it twice). A {@link ModePolicy} decides at attach, fork and
 * exec; {@link #setMode} switches a process at run time without detaching ({@link Modes}).
 *
 * <p>The pieces: {@link Requests} (queue and wake-up), {@link Attacher} (seize, detach), {@link Registry} (who is
 * traced, process events), {@link StopHandler} (each stop), {@link Modes} (switches, the stop cost). This class
 * is the API and the loop: waitpid, handle the stop, poll briefly after a resume while that pays ({@link Placement}).
 *
 * <p>Tracees are never left stopped: {@link #close} interrupts and detaches every thread within
 * 500 ms; if the tracer thread or the whole JVM dies (even by SIGKILL), the kernel detaches the
 * tracees and they run on, because the tracer never sets PTRACE_O_EXITKILL.
 */
public final class Tracer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracer.class);

    static final int WAKE_SIGNAL = Requests.WAKE_SIGNAL;
    static final long DETACH_TIMEOUT_MILLIS = 500;

    private final TraceOptions options;
    private final Thread thread;
    private final Requests requests = new Requests();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Failures failures = new Failures();
    private final Emitter emit;
    private final Modes modes;
    private final Registry registry;
    private final StopHandler stops;
    private Attacher attacher; // needs the tracer thread's tid: made on that thread
    private volatile Throwable failure;
    private long spinHits, blockedWaits;
    private boolean closing;
    private boolean firstStop;

    private final Memory statusMem = new Memory(8);
    private final long statusAddr = Pointer.nativeValue(statusMem);

    private Tracer(TraceOptions options, EventSink sink) {
        this.options = options;
        this.emit = new Emitter(sink);
        this.modes = new Modes(options.modePolicy(), options.mode(), failures);
        this.registry = new Registry(options, emit, modes);
        modes.bind(registry);
        this.stops = new StopHandler(options, emit, registry, modes, failures);
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

    /**
     * Switches every thread of a traced process to {@code mode}, without detaching: each takes it at its next
     * stop (a thread in lifecycle mode is interrupted for that). Completes when the switch is asked of every
     * thread; exceptionally when the process is not traced.
     *
     * @param escalated mark it escalated (exempt from budgets; its children inherit it)
     * @param budget    the switch is a budget's duty cycle: its syscall events carry their coverage
     * @param reason    shown by ps and in later process events; may be null
     */
    public CompletableFuture<Void> setMode(int pid, TraceMode mode, boolean escalated, boolean budget, String reason) {
        return submit(new SetMode(pid, mode, escalated, budget, reason, new CompletableFuture<>(), new boolean[1]));
    }

    /** The processes traced now (a snapshot; cheap, any thread). Their {@link TracedProcess#mode()} is live. */
    public List<TracedProcess> tracees() {
        return registry.snapshot();
    }

    /**
     * How many threads are traced now, not counting those being released (a child not followed without -f). Exact
     * on the tracer thread, where the {@link EventSink} runs: an event's sink
     * sees the count as of that event (a thread that exits still counts in its exit event), which is what strace's
     * "[pid N] " prefix on a terminal follows. From any other thread, a moment's value.
     */
    public int tracedThreads() {
        return registry.keptThreadCount();
    }

    /**
     * Does ahead, on the calling thread, the one-time work of the first {@link #start} and {@link #attach}: binds the
     * JNA methods (libc, ptrace), resolves the wake-up handler, initialises the engine's classes. Makes no ptrace call
     * and changes nothing in any process. {@code taskscope trace} calls it on a second thread while it parses its
     * options, so that the attach does not wait for it (docs/trace.md, attach latency). Idempotent; never throws.
     */
    public static void prepare() {
        try {
            LibC.ensureLoaded();
            Ptrace.harmlessHandlerAddress();
            Ptrace.gettid();
            ClassLoader l = Tracer.class.getClassLoader();
            for (Class<?> c : List.of(Requests.class, Registry.class, StopHandler.class, Modes.class, Attacher.class,
                    Emitter.class, Failures.class, ProcFs.class, Proc.class, Tracee.class, ModeStats.class,
                    TracedProcess.class, io.taskscope.event.ProcessEvent.class, io.taskscope.event.SyscallEvent.class,
                    io.taskscope.decode.SyscallDecoder.class)) {
                Class.forName(c.getName(), true, l);
            }
            ProcFs.exists(1);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // start() does the same work and reports what fails
        }
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
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** How long the last request waited before the tracer thread took it (tests check the 10 ms promise). */
    long lastPickupNanos() {
        return requests.lastPickupNanos();
    }

    /** What one ptrace stop costs a tracee now (measured on syscall-mode stops; a default until then). */
    public long stopCostNanos() {
        return modes.stopCostNanos();
    }

    /** CPU time the tracer thread has used (ns; -1 where the JVM cannot say): what stops cost beyond the tracee. */
    public long threadCpuNanos() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(thread.getId()) : -1;
    }

    public TracerStats stats() {
        return new TracerStats(stops.stops, stops.syscalls, emit.events, emit.dropped, spinHits, blockedWaits,
                failures.count);
    }

    /**
     * Completes when, after at least one successful attach, no traced process is left (every
     * one exited or was detached): the point where {@code taskscope trace -p} ends.
     */
    public CompletableFuture<Void> allGone() {
        return registry.allGone();
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

    private <T> CompletableFuture<T> submit(Request r) {
        return requests.submit(r, thread, terminated.isDone(), failure);
    }

    // ---------------------------------------------------------------- the tracer thread

    private void run() {
        try {
            requests.bindTracerThread();
            attacher = new Attacher(options, registry, modes, emit, stops, requests.tracerTid());
            started.complete(null);
            io.taskscope.StartupClock.mark("tracer: thread ready");
            loop();
        } catch (Throwable t) {
            failure = t;
            log.error("tracer thread failed; detaching from everything", t);
            started.completeExceptionally(t);
        } finally {
            try {
                if (attacher != null) attacher.detachAll(DETACH_TIMEOUT_MILLIS, statusAddr, statusMem);
            } catch (Throwable t) {
                log.error("detaching failed; the kernel releases the tracees when this thread ends", t);
            }
            requests.failRemaining();
            registry.allGone().complete(null);
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
            if (registry.threadCount() == 0) {
                requests.blockState = Requests.PARKED;
                if (requests.isEmpty()) LockSupport.park(this);
                requests.blockState = Requests.RUNNING;
                continue;
            }
            int tid = 0;
            if (spinUntil != 0) {
                try {
                    tid = Ptrace.waitpid(-1, statusAddr, Attacher.WAIT_FLAGS | WNOHANG);
                } catch (LastErrorException e) {
                    tid = -1;
                    if (e.getErrorCode() == Errno.ECHILD) registry.forgetAll();
                }
            }
            if (tid == 0) { // not polling, or nothing yet: poll on or block
                if (spinUntil != 0 && System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                if (spinUntil != 0) spinOutcome(false);
                spinUntil = 0;
                requests.blockState = Requests.IN_WAITPID;
                if (!requests.isEmpty()) {
                    requests.blockState = Requests.RUNNING;
                    continue;
                }
                blockedWaits++;
                try {
                    tid = Ptrace.waitpid(-1, statusAddr, Attacher.WAIT_FLAGS);
                } catch (LastErrorException e) {
                    tid = -1; // EINTR: a request arrived
                    if (e.getErrorCode() == Errno.ECHILD) registry.forgetAll();
                } finally {
                    requests.blockState = Requests.RUNNING;
                }
                if (tid <= 0) continue;
            } else if (tid < 0) {
                continue;
            } else if (spinUntil != 0) {
                spinHits++;
                spinOutcome(true);
            }
            boolean resumed = handleSafely(tid, statusMem.getInt(0));
            if (!firstStop) {
                firstStop = true;
                io.taskscope.StartupClock.mark("tracer: first stop handled");
            }
            spinUntil = resumed && spinNanos > 0 && spinWorthIt() ? System.nanoTime() + spinNanos : 0;
        }
    }

    /**
     * The last line of defence: whatever a stop's handling throws, the thread is resumed (in its mode, without a
     * signal: one signal lost is better than a neighbour left stopped) and the loop goes on.
     */
    private boolean handleSafely(int tid, int status) {
        try {
            return stops.handle(tid, status);
        } catch (RuntimeException e) {
            failures.record("stop", "status 0x" + Integer.toHexString(status), e);
            Tracee t = registry.tracee(tid);
            if (stopped(status)) {
                StopHandler.quiet(t != null && t.mode == TraceMode.LIFECYCLE ? PTRACE_CONT : PTRACE_SYSCALL, tid, 0);
            }
            return false;
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
            try {
                if (r instanceof Attach a) {
                    a.future().complete(attacher.attach(a.pid()));
                } else if (r instanceof Detach d) {
                    attacher.detach(d.pid(), d.future());
                } else if (r instanceof SetMode m) {
                    setModeNow(m);
                } else if (r instanceof Close) {
                    closing = true;
                    requests.requeue(r); // completed after detachAll, in run()'s finally
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

    private void setModeNow(SetMode m) {
        Proc p = registry.proc(ProcFs.statusInt(m.pid(), "Tgid", m.pid()));
        if (p == null) {
            m.future().completeExceptionally(TaskscopeException.usage("PID " + m.pid() + " is not traced",
                    "see the traced processes with 'taskscope ps'"));
            return;
        }
        modes.request(p, m.mode(), m.escalated(), m.budget(), m.reason());
        m.future().complete(null);
    }
}
