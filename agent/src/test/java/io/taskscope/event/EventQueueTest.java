package io.taskscope.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EventQueueTest {
    static Event ev(int i) {
        return new SyscallEvent(i, 1, 1, null, "c", 0, "read", List.of(), null, null, 0, null, 0);
    }

    @Test
    void offerNeverBlocksAndDropsAreCountedAndReported() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ConcurrentLinkedQueue<Event> seen = new ConcurrentLinkedQueue<>();
        EventQueue q = new EventQueue(10, e -> {
            try {
                release.await(); // a stdout nobody reads
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            seen.add(e);
        }, true);
        long t0 = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < 1000; i++) if (q.offer(ev(i))) accepted++;
        long micros = (System.nanoTime() - t0) / 1000;
        assertTrue(micros < 200_000, "1000 offers took " + micros + " us");
        assertTrue(accepted <= 11, "accepted " + accepted);
        assertEquals(1000 - accepted, q.dropped());
        release.countDown();
        assertTrue(q.close(5000));
        DropEvent drop = (DropEvent) seen.stream().filter(e -> e instanceof DropEvent).reduce((a, b) -> b).orElseThrow();
        assertEquals(q.dropped(), drop.total());
        assertEquals(1000 - q.dropped(), seen.stream().filter(e -> e instanceof SyscallEvent).count());
    }

    @Test
    void closeDeliversWhatWasQueued() {
        ConcurrentLinkedQueue<Event> seen = new ConcurrentLinkedQueue<>();
        EventQueue q = new EventQueue(100, seen::add, false);
        for (int i = 0; i < 50; i++) q.offer(ev(i));
        assertTrue(q.close(5000));
        assertEquals(50, seen.size());
        assertFalse(q.offer(ev(1)));
    }

    @Test
    void aBrokenOutputCountsItsLossesAsDropsAndRecovers() {
        // A reader that went away: every write fails with EPIPE until it is back.
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        ConcurrentLinkedQueue<Event> seen = new ConcurrentLinkedQueue<>();
        EventQueue q = new EventQueue(1000, e -> {
            if (broken.get()) throw new java.io.UncheckedIOException(new java.io.IOException("Broken pipe"));
            seen.add(e);
        }, false);
        for (int i = 0; i < 200; i++) q.offer(ev(i));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (q.sinkFailures() < 200 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertEquals(200, q.sinkFailures());
        assertEquals(200, q.dropped(), "lost events are drops, in health and metrics alike");
        broken.set(false);
        for (int i = 0; i < 10; i++) q.offer(ev(i));
        assertTrue(q.close(5000));
        assertEquals(10, seen.size(), "delivery resumes when the output works again");
    }
}
