package io.taskscope.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.taskscope.TaskscopeException;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.event.Event;
import io.taskscope.event.SyscallEvent;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine on real processes: attach, events, detach, refusals, request latency. */
class TracerTest {
    final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    Tracer tracer;

    @BeforeEach
    void prerequisites() {
        Prereq.requireRoot();
    }

    @AfterEach
    void cleanUp() {
        if (tracer != null) tracer.close();
        CPrograms.killAll();
    }

    Tracer start(String filter) {
        tracer = Tracer.start(TraceOptions.defaults().withFilter(SyscallFilter.parse(List.of(filter))), events::add);
        return tracer;
    }

    SyscallEvent awaitSyscall(Predicate<SyscallEvent> p, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            for (Event e : events) if (e instanceof SyscallEvent s && p.test(s)) return s;
            Thread.sleep(5);
        }
        fail("no matching syscall event in " + millis + " ms; got " + events.size() + " events: " + events.stream().limit(10).toList());
        return null;
    }

    static void assertRunsUntraced(long pid) throws InterruptedException {
        for (int i = 0; i < 100 && CPrograms.tracerPid(pid) != 0; i++) Thread.sleep(5);
        assertEquals(0, CPrograms.tracerPid(pid), "TracerPid after detach");
        char st = CPrograms.state(pid);
        assertTrue(st == 'S' || st == 'R', "state after detach is " + st);
    }

    @Test
    void tracesFileSyscallsAndDetachesCleanly() throws Exception {
        ProcessHandle p = CPrograms.start("fileloop", "0", "20000");
        start("trace=%file").attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        SyscallEvent enoent = awaitSyscall(s -> "ENOENT".equals(s.errno()) && s.syscall().contains("stat"), 5000);
        assertEquals(-1, enoent.ret());
        assertEquals(p.pid(), enoent.pid());
        assertTrue(enoent.durationMicros() >= 0);
        for (Event e : events) {
            if (e instanceof SyscallEvent s) assertNotEquals("getppid", s.syscall(), "filtered out by trace=%file");
        }
        assertEquals(1, tracer.tracees().size());
        long t0 = System.nanoTime();
        tracer.detach((int) p.pid()).get(5, TimeUnit.SECONDS);
        long micros = (System.nanoTime() - t0) / 1000;
        System.out.println("detach took " + micros + " us");
        assertTrue(tracer.tracees().isEmpty());
        assertRunsUntraced(p.pid());
        assertTrue(tracer.isAlive());
    }

    @Test
    void requestWakesABlockedTracerInsteadOfWaitingForTheTraceesNextStop() throws Exception {
        // The tracee sleeps a second between bursts, so the tracer is blocked in waitpid.
        ProcessHandle a = CPrograms.start("fileloop", "0", "1000000");
        ProcessHandle b = CPrograms.start("fileloop", "0", "1000000");
        start("trace=%file").attach((int) a.pid()).get(5, TimeUnit.SECONDS);
        Thread.sleep(200);
        // A tracer that only saw requests between stops would take up to the tracee's 1 s pause. The
        // bounds tell a wake-up from that wait even on a loaded machine; the 10 ms promise itself is a
        // number to measure (printed below, ~0.2 ms on an idle VM), not a timed assertion.
        List<Long> pickups = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tracer.attach((int) b.pid()).get(5, TimeUnit.SECONDS);
            pickups.add(tracer.lastPickupNanos());
            tracer.detach((int) b.pid()).get(5, TimeUnit.SECONDS);
            pickups.add(tracer.lastPickupNanos());
            Thread.sleep(50);
        }
        java.util.Collections.sort(pickups);
        long median = pickups.get(pickups.size() / 2), worst = pickups.get(pickups.size() - 1);
        System.out.println("requests to a blocked tracer: pick-up median " + median / 1000 + " us, worst " + worst / 1000 + " us");
        assertTrue(median < TimeUnit.MILLISECONDS.toNanos(100), "median pick-up " + median / 1000 + " us");
        assertTrue(worst < TimeUnit.MILLISECONDS.toNanos(500), "worst pick-up " + worst / 1000 + " us");
        tracer.close();
        assertRunsUntraced(a.pid());
        assertRunsUntraced(b.pid());
    }

    @Test
    void closeDetachesEverythingWithin500ms() throws Exception {
        ProcessHandle a = CPrograms.start("fileloop", "0", "0"); // busy: constant stops
        ProcessHandle b = CPrograms.start("fileloop", "0", "500000");
        start("trace=%file");
        tracer.attach((int) a.pid()).get(5, TimeUnit.SECONDS);
        tracer.attach((int) b.pid()).get(5, TimeUnit.SECONDS);
        awaitSyscall(s -> s.pid() == a.pid(), 5000);
        long t0 = System.nanoTime();
        tracer.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 500, "close took " + ms + " ms");
        assertFalse(tracer.isAlive());
        assertRunsUntraced(a.pid());
        assertRunsUntraced(b.pid());
    }

    @Test
    void missingPidIsAUsageError() {
        start("trace=%file");
        var e = assertThrows(() -> tracer.attach(999_999_9).get(5, TimeUnit.SECONDS));
        assertEquals(TaskscopeException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().contains("no process with PID"), e.getMessage());
    }

    @Test
    void refusesItselfAndItsAncestors() {
        start("trace=%file");
        var self = assertThrows(() -> tracer.attach((int) ProcessHandle.current().pid()).get(5, TimeUnit.SECONDS));
        assertTrue(self.getMessage().contains("taskscope itself"), self.getMessage());
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        var anc = assertThrows(() -> tracer.attach((int) parent).get(5, TimeUnit.SECONDS));
        assertTrue(anc.getMessage().contains("ancestor"), anc.getMessage());
    }

    @Test
    void refusesAProcessTracedByStraceAndNamesIt() throws Exception {
        Prereq.requireCommand("strace");
        ProcessHandle target = CPrograms.start("fileloop", "0", "100000");
        ProcessHandle strace = CPrograms.startShell("exec strace -qq -o /dev/null -p " + target.pid(),
                CPrograms.dir().resolve("strace.out"));
        for (int i = 0; i < 200 && CPrograms.tracerPid(target.pid()) != strace.pid(); i++) Thread.sleep(10);
        assertEquals(strace.pid(), CPrograms.tracerPid(target.pid()));
        start("trace=%file");
        var e = assertThrows(() -> tracer.attach((int) target.pid()).get(5, TimeUnit.SECONDS));
        assertEquals(TaskscopeException.Kind.RUNTIME, e.kind());
        assertTrue(e.getMessage().contains("already traced by PID " + strace.pid() + " (strace)"), e.getMessage());
    }

    interface Call {
        Object run() throws Exception;
    }

    static TaskscopeException assertThrows(Call c) {
        try {
            c.run();
        } catch (ExecutionException e) {
            return assertInstanceOf(TaskscopeException.class, e.getCause());
        } catch (Exception e) {
            fail(e);
        }
        fail("expected a TaskscopeException");
        return null;
    }
}
