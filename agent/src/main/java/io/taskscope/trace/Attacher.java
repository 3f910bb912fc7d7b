package io.taskscope.trace;

import static io.taskscope.linux.Ptrace.*;

import com.sun.jna.LastErrorException;
import io.taskscope.TaskscopeException;
import io.taskscope.event.ProcessEvent;
import io.taskscope.linux.Errno;
import io.taskscope.linux.LibC;
import io.taskscope.linux.Ptrace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaching (PTRACE_SEIZE every thread, with the checks that make a refusal say why) and detaching (interrupt,
 * then PTRACE_DETACH at the next stop), including the bounded detach of everything when the tracer closes.
 * Tracer thread only.
 */
final class Attacher {
    private static final Logger log = LoggerFactory.getLogger(Attacher.class);
    static final int OPTIONS = O_TRACESYSGOOD | O_TRACECLONE | O_TRACEFORK | O_TRACEVFORK | O_TRACEEXEC;
    static final int WAIT_FLAGS = WALL | WNOTHREAD;

    private final TraceOptions options;
    private final Registry registry;
    private final Modes modes;
    private final Emitter emit;
    private final StopHandler stops;
    private final int ownPid = LibC.getpid();
    private final int tracerTid;

    Attacher(TraceOptions options, Registry registry, Modes modes, Emitter emit, StopHandler stops, int tracerTid) {
        this.options = options;
        this.registry = registry;
        this.modes = modes;
        this.emit = emit;
        this.stops = stops;
        this.tracerTid = tracerTid;
    }

    TracedProcess attach(int pid) {
        if (pid <= 0 || !ProcFs.exists(pid)) {
            throw TaskscopeException.usage("no process with PID " + pid, "list processes with 'taskscope ps'");
        }
        int tgid = ProcFs.statusInt(pid, "Tgid", pid);
        String comm = ProcFs.comm(tgid);
        refuseOurOwn(pid, tgid, comm);
        Proc existing = registry.proc(tgid);
        if (existing != null && existing.startTime == ProcFs.startTime(tgid)) return existing.view();
        if (existing != null) registry.forget(existing); // the PID came back as another process
        int tracer = ProcFs.statusInt(tgid, "TracerPid", 0);
        if (tracer != 0) throw alreadyTraced(tgid, comm, tracer);

        Proc p = registry.register(new Proc(tgid, ProcFs.startTime(tgid), ProcFs.ppid(tgid), comm,
                ProcFs.exe(tgid).orElse(null), ProcFs.statusInt(tgid, "Uid", -1), options.containerOf().apply(tgid),
                modes.defaultMode()));
        modes.atAttach(p); // before any thread is seized: each starts in the process's mode
        io.taskscope.StartupClock.mark("tracer: checks done, seizing");
        Set<Integer> seen = new HashSet<>();
        List<Tracee> attached = new ArrayList<>();
        // Threads may be created while we attach: scan /proc/PID/task until a pass finds nothing new.
        for (int round = 0; round < 100; round++) {
            boolean added = false;
            for (int tid : ProcFs.threads(tgid)) {
                if (!seen.add(tid) || registry.tracee(tid) != null) continue;
                try {
                    Ptrace.ptrace(PTRACE_SEIZE, tid, 0, OPTIONS);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.ESRCH) continue; // thread ended meanwhile
                    if (attached.isEmpty()) {
                        registry.unregister(p);
                        throw seizeFailed(pid, tgid, comm, e);
                    }
                    continue; // a thread auto-attached through a clone event we have not read yet
                }
                Tracee seized = registry.addThread(tid, p);
                seized.grabbed = true;
                attached.add(seized);
                added = true;
                StopHandler.quiet(PTRACE_INTERRUPT, tid, 0); // a first stop, from which the mode starts
            }
            if (!added) break;
        }
        if (p.threads == 0) {
            registry.unregister(p);
            throw TaskscopeException.usage("process " + pid + " ended before taskscope could attach", "check the PID with 'taskscope ps'");
        }
        io.taskscope.StartupClock.mark("tracer: seized and interrupted");
        registry.attachedOnce = true;
        if (options.placement() == Placement.COLOCATE) {
            if (registry.affinity == null) registry.affinity = stops.affinity = new Affinity();
            registry.affinity.colocate(p.pid, attached.stream().mapToInt(t -> t.tid).toArray());
        }
        // docs/events.md: "start" is a traced process forked, or one the tracer attached to.
        if (options.processEvents()) emit.process(ProcessEvent.Kind.START, p, ProcFs.cmdline(tgid), null);
        registry.publish();
        log.debug("attached to {} ({}), {} threads, {} mode", tgid, comm, p.threads, p.mode().label());
        return p.view();
    }

    private void refuseOurOwn(int pid, int tgid, String comm) {
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
    }

    private TaskscopeException seizeFailed(int pid, int tgid, String comm, LastErrorException e) {
        char state = ProcFs.statFields(tgid).map(f -> f[0].charAt(0)).orElse('X');
        if (state == 'Z' || state == 'X') {
            return TaskscopeException.usage("process " + pid + " (" + comm + ") has exited", "check the PID with 'taskscope ps'");
        }
        int now = ProcFs.statusInt(tgid, "TracerPid", 0);
        if (now != 0 && now != tracerTid) return alreadyTraced(tgid, comm, now);
        return TaskscopeException.runtime("cannot trace PID " + tgid + " (" + comm + "): "
                + Errno.describe(e.getErrorCode()),
                "taskscope needs CAP_SYS_PTRACE (add it to the monitor container's linuxParameters)"
                        + " and kernel.yama.ptrace_scope <= 1");
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

    void detach(int pid, CompletableFuture<Void> future) {
        int tgid = ProcFs.statusInt(pid, "Tgid", pid);
        Proc p = registry.proc(tgid);
        if (p == null) {
            future.completeExceptionally(TaskscopeException.usage("PID " + pid + " is not traced", "see the traced processes"));
            return;
        }
        p.detached = future;
        for (Tracee t : registry.threadsOf(p)) beginDetach(t);
    }

    private void beginDetach(Tracee t) {
        if (t.detaching) return;
        registry.markDetaching(t);
        // Running (or listening in a group-stop): interrupt it so that it stops where we can detach.
        StopHandler.quiet(PTRACE_INTERRUPT, t.tid, 0);
    }

    /** On close or failure: interrupt every tracee and detach each at its next stop, for at most the timeout. */
    void detachAll(long timeoutMillis, long statusAddr, com.sun.jna.Memory statusMem) {
        if (registry.threadCount() == 0) {
            if (registry.affinity != null) registry.affinity.releaseTracer();
            return;
        }
        for (Tracee t : registry.threads()) beginDetach(t);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (registry.threadCount() > 0 && System.nanoTime() < deadline) {
            int tid;
            try {
                tid = Ptrace.waitpid(-1, statusAddr, WAIT_FLAGS | WNOHANG);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ECHILD) registry.forgetAll();
                break;
            }
            if (tid > 0) stops.handle(tid, statusMem.getInt(0));
            else LockSupport.parkNanos(200_000);
        }
        if (registry.threadCount() > 0) {
            log.warn("{} threads did not stop within {} ms; the kernel detaches them when the tracer thread ends",
                    registry.threadCount(), timeoutMillis);
        }
        if (registry.affinity != null) registry.affinity.releaseTracer();
    }
}
