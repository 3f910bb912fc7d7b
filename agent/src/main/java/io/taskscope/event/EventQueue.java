package io.taskscope.event;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded hand-off between producers that must never wait (the tracer thread stops someone
 * else's process while it works) and one writer thread that may block on a slow stdout or log
 * driver. {@link #offer} never blocks: when the queue is full the event is dropped and counted.
 *
 * <p>Drops are reported, never silent: with {@code reportDrops} the writer hands the sink a
 * {@link DropEvent} (dropped since the last report, total) as soon as it catches up, at most once
 * a second, and once more at {@link #close()}; without it the owner reads {@link #dropped()} at the
 * end (the text output prints it on stderr, like strace's summary lines).
 */
public final class EventQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventQueue.class);
    private static final Event STOP = new DropEvent(0, 0, 0, "stop");
    private static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Idle, the writer wakes once a second (the next offer wakes it anyway): an idle agent's two queues cost
     * ~2 ms of CPU a second at 50 ms (measured on the lab), next to nothing now. */
    private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ArrayBlockingQueue<Event> queue;
    private final Consumer<Event> sink;
    private final boolean reportDrops;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong sinkFailures = new AtomicLong();
    private volatile boolean failing; // written by the writer thread only
    private final Thread writer;
    private long reportedDrops;
    private long lastReportNanos;
    private volatile boolean closed;
    /** The writer sleeps longer than MIN_PARK_NANOS (idle): the next offer wakes it, once per idle spell. */
    private volatile boolean writerIdle;

    /**
     * @param capacity    events held before dropping (a few thousand absorb bursts of a busy tracee)
     * @param sink        called on the writer thread only; may block; exceptions are logged and the event lost
     * @param reportDrops whether to give the sink {@link DropEvent}s
     */
    public EventQueue(int capacity, Consumer<Event> sink, boolean reportDrops) {
        this(capacity, sink, reportDrops, "taskscope-writer");
    }

    /** @param threadName the consumer thread's name */
    public EventQueue(int capacity, Consumer<Event> sink, boolean reportDrops, String threadName) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = sink;
        this.reportDrops = reportDrops;
        this.writer = new Thread(this::run, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    /** Never blocks. Returns false (and counts a drop) when the queue is full or closed. */
    public boolean offer(Event event) {
        if (!closed && queue.offer(event)) {
            if (writerIdle) { // the first event after a quiet spell (a trace's first line): written now, not up to 50 ms later
                writerIdle = false;
                LockSupport.unpark(writer);
            }
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Events dropped since start. */
    public long dropped() {
        return dropped.get();
    }

    /** Events handed to the sink since start (drop reports excluded). */
    public long delivered() {
        return delivered.get();
    }

    /** Events waiting for the writer. */
    public int backlog() {
        return queue.size();
    }

    /**
     * The writer never waits on the queue's condition: a producer's offer would then have to wake
     * it (a futex syscall and a cross-CPU wake-up per event, paid by the tracer while someone's
     * thread is stopped). It sleeps instead, 1 ms after finding work and up to 1 s when idle,
     * and drains everything each time it wakes. Only the first event after an idle spell wakes it
     * (one unpark), so that a quiet stream's next line is not late.
     */
    private void run() {
        long park = MIN_PARK_NANOS;
        while (!Thread.currentThread().isInterrupted()) {
            Event e = queue.poll();
            if (e == STOP) break;
            if (e != null) {
                deliver(e);
                park = MIN_PARK_NANOS;
                continue;
            }
            if (reportDrops) maybeReportDrops(false);
            if (park > MIN_PARK_NANOS) {
                writerIdle = true;
                if (!queue.isEmpty()) { // arrived before the flag was seen
                    writerIdle = false;
                    continue;
                }
            }
            LockSupport.parkNanos(this, park);
            writerIdle = false;
            park = Math.min(park * 2, MAX_PARK_NANOS);
        }
        // Drain what arrived before close, then the final drop report.
        for (Event e; (e = queue.poll()) != null; ) if (e != STOP) deliver(e);
        if (reportDrops) maybeReportDrops(true);
    }

    private void deliver(Event e) {
        try {
            sink.accept(e);
            delivered.incrementAndGet();
            failing = false;
        } catch (RuntimeException ex) {
            // A broken output (EPIPE, EBADF) fails every event: count them as drops, as a full queue's
            // are, and say so once per failure spell, not once per event (that flooded stderr at 1,300 lines/s).
            dropped.incrementAndGet();
            sinkFailures.incrementAndGet();
            if (!failing) log.warn("event output failed, events are dropped until it works again: {}", ex.toString());
            failing = true;
        }
    }

    /** Events the sink refused (an output error); they are counted in {@link #dropped()} too. */
    public long sinkFailures() {
        return sinkFailures.get();
    }

    private void maybeReportDrops(boolean force) {
        long total = dropped.get();
        long now = System.nanoTime();
        if (total == reportedDrops) return;
        if (!force && now - lastReportNanos < TimeUnit.SECONDS.toNanos(1)) return;
        long epochNanos = System.currentTimeMillis() * 1_000_000L;
        try {
            sink.accept(new DropEvent(epochNanos, total - reportedDrops, total, "output could not keep up"));
        } catch (RuntimeException ex) {
            log.warn("event sink failed on a drop report: {}", ex.toString());
        }
        reportedDrops = total;
        lastReportNanos = now;
    }

    /**
     * Stops accepting events, lets the writer deliver what is queued (waiting at most
     * {@code timeoutMillis}) and returns whether it finished in time.
     */
    public boolean close(long timeoutMillis) {
        if (!closed) {
            closed = true;
            LockSupport.unpark(writer);
            // The STOP marker must get in even when the writer is stuck: after waiting, make room by dropping.
            try {
                if (!queue.offer(STOP, Math.max(1, timeoutMillis / 2), TimeUnit.MILLISECONDS)) {
                    while (!queue.offer(STOP)) {
                        if (queue.poll() != null) dropped.incrementAndGet();
                    }
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        LockSupport.unpark(writer);
        try {
            writer.join(timeoutMillis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        return !writer.isAlive();
    }

    @Override
    public void close() {
        close(5_000);
    }
}
