package io.taskscope.trace;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import java.time.Instant;
import java.util.List;

/**
 * The tracer's way out: hands events to the {@link EventSink} (which never blocks), counts what it took and what
 * it refused, and turns the monotonic clock of stops into wall-clock event times. Tracer thread only.
 */
final class Emitter {
    private final EventSink sink;
    private final long baseWallNanos;
    private final long baseMonoNanos;
    long events, dropped;

    Emitter(EventSink sink) {
        this.sink = sink;
        Instant now = Instant.now();
        this.baseMonoNanos = System.nanoTime();
        this.baseWallNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    void offer(Event e) {
        if (sink.offer(e)) events++;
        else dropped++;
    }

    long wall(long monoNanos) {
        return baseWallNanos + (monoNanos - baseMonoNanos);
    }

    long now() {
        return wall(System.nanoTime());
    }

    /**
     * A START or EXEC event: the process as it is now, read from /proc while it is stopped (exe, command line,
     * working directory, gid), with the mode it runs in from here on.
     */
    void process(ProcessEvent.Kind kind, Proc p, List<String> argv, String previousExe) {
        ModeStats m = p.stats;
        offer(new ProcessEvent(now(), kind, p.pid, p.ppid, p.container, p.comm, p.exe, argv, p.uid,
                null, null, ProcFs.statusInt(p.pid, "Gid", -1), ProcFs.cwd(p.pid).orElse(null),
                previousExe, m.mode().label(), m.reason()));
    }

    /** A thread other than the first ended: strace's "[pid TID] +++ exited with N +++". */
    void threadExit(Proc p, int tid, Integer code, String signal) {
        offer(new ProcessEvent(now(), ProcessEvent.Kind.THREAD_EXIT, tid, p.pid, p.container, p.comm, null, null, p.uid,
                code, signal, -1, null, null, null, null));
    }

    void exit(Proc p, Integer code, String signal) {
        offer(new ProcessEvent(now(), ProcessEvent.Kind.EXIT, p.pid, p.ppid, p.container, p.comm, null, null, p.uid,
                code, signal, -1, null, null, null, null));
    }
}
