package io.taskscope.trace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.taskscope.TaskscopeException;
import io.taskscope.linux.LibC;
import io.taskscope.linux.Ptrace;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracer's request queue and its wake-up. Any thread submits; the tracer thread polls. The tracer is woken
 * within a millisecond, without timed polling while idle: by a no-op real-time signal (installed without
 * SA_RESTART) that makes its blocking waitpid return EINTR, or by an unpark when it traces nothing.
 */
final class Requests {
    private static final Logger log = LoggerFactory.getLogger(Requests.class);

    /** A real-time signal neither HotSpot nor glibc (32, 33) nor musl (32-34) use internally. */
    static final int WAKE_SIGNAL = 62;
    static final int RUNNING = 0, IN_WAITPID = 1, PARKED = 2;

    sealed interface Request permits Attach, Detach, SetMode, Close {
        CompletableFuture<?> future();

        /** Set by the tracer thread when it takes the request: the submitter stops waking it. */
        boolean[] taken();
    }

    record Attach(int pid, CompletableFuture<TracedProcess> future, boolean[] taken) implements Request {}

    record Detach(int pid, CompletableFuture<Void> future, boolean[] taken) implements Request {}

    record SetMode(int pid, TraceMode mode, boolean escalated, boolean budget, String reason,
                   CompletableFuture<Void> future, boolean[] taken) implements Request {}

    record Close(CompletableFuture<Void> future, boolean[] taken) implements Request {}

    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final int ownPid = LibC.getpid();
    private volatile Thread tracer;
    private volatile int tracerTid;
    volatile int blockState = RUNNING;
    private volatile long lastSubmitNanos, lastPickupNanos;

    /** On the tracer thread, first thing: who to wake, and the handler that makes waitpid return EINTR. */
    void bindTracerThread() {
        tracer = Thread.currentThread();
        tracerTid = Ptrace.gettid();
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

    int tracerTid() {
        return tracerTid;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Tracer thread: the next request, marked taken. */
    Request poll() {
        Request r = queue.poll();
        if (r != null) {
            r.taken()[0] = true;
            lastPickupNanos = System.nanoTime() - lastSubmitNanos;
        }
        return r;
    }

    /** Tracer thread: puts a request back to be completed later (Close, after everything is detached). */
    void requeue(Request r) {
        queue.add(r);
    }

    long lastPickupNanos() {
        return lastPickupNanos;
    }

    /** Any thread: queues the request and wakes the tracer until it has taken it. */
    <T> CompletableFuture<T> submit(Request r, Thread thread, boolean terminated, Throwable failure) {
        @SuppressWarnings("unchecked") CompletableFuture<T> f = (CompletableFuture<T>) r.future();
        if (terminated) {
            f.completeExceptionally(TaskscopeException.runtime("the tracer has stopped", failure == null ? null
                    : "it failed with " + failure));
            return f;
        }
        lastSubmitNanos = System.nanoTime();
        queue.add(r);
        if (Thread.currentThread() == thread) return f; // picked up at the top of the loop
        boolean[] taken = r.taken();
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

    private void wake() {
        int s = blockState;
        if (s == IN_WAITPID) {
            try {
                Ptrace.tgkill(ownPid, tracerTid, WAKE_SIGNAL);
            } catch (LastErrorException e) {
                log.debug("wake-up signal failed: {}", e.toString());
            }
        } else if (s == PARKED) {
            Thread t = tracer;
            if (t != null) LockSupport.unpark(t);
        }
    }

    /** When the tracer thread ends: every request left is answered (Close completes, the others fail). */
    void failRemaining() {
        Request r;
        while ((r = queue.poll()) != null) {
            r.taken()[0] = true;
            if (r instanceof Close c) c.future().complete(null);
            else r.future().completeExceptionally(TaskscopeException.runtime("the tracer has stopped", null));
        }
    }
}
