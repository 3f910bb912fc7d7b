package io.taskscope.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.decode.SyscallFilter;
import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lifecycle and syscall modes on real processes: what each sees, escalation at exec, switches under load. */
class TraceModeTest {
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

    List<SyscallEvent> syscalls() {
        return events.stream().filter(e -> e instanceof SyscallEvent).map(e -> (SyscallEvent) e).toList();
    }

    @Test
    void lifecycleModeSeesForksAndExitsButNoSyscallAndBarelyStops() throws Exception {
        Path out = CPrograms.dir().resolve("forker-" + System.nanoTime());
        ProcessHandle p = CPrograms.start("forker", out.toString(), "0");
        tracer = Tracer.start(TraceOptions.defaults().withFollowForks(true).withMode(TraceMode.LIFECYCLE), events::add);
        TracedProcess tp = tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        assertEquals(TraceMode.LIFECYCLE, tp.mode().mode());
        TracerBehaviourTest.await("3 children exited with 3", 5000, () -> events.stream().filter(e -> e instanceof ProcessEvent pe
                && pe.kind() == ProcessEvent.Kind.EXIT && Integer.valueOf(3).equals(pe.exitCode())).count() >= 3);
        assertTrue(events.stream().anyMatch(e -> e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.START
                && pe.ppid() == p.pid() && "lifecycle".equals(pe.mode())), "children start in their parent's mode");
        assertEquals(List.of(), syscalls(), "no syscall is seen in lifecycle mode");
        // forker's children each make a few calls; in syscall mode that is 2 stops a call, here a few per child.
        TracerStats s = tracer.stats();
        assertEquals(0, s.syscalls(), s.toString());
        tracer.close();
        TracerTest.assertRunsUntraced(p.pid());
    }

    @Test
    void anExecEscalatedByThePolicyIsTracedFromItsFirstCall() throws Exception {
        ProcessHandle p = CPrograms.start("execer", "leader", "1500"); // attached well before its exec, even on a busy VM
        ModePolicy escalateExec = c -> switch (c.moment()) {
            case ATTACH -> new ModePolicy.Decision(TraceMode.LIFECYCLE, false, null);
            case EXEC -> new ModePolicy.Decision(TraceMode.SYSCALL, true, "escalated: exec of " + c.exe());
            case FORK -> null;
        };
        tracer = Tracer.start(TraceOptions.defaults().withModePolicy(escalateExec), events::add);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        TracerBehaviourTest.await("calls after the exec", 10000,
                () -> syscalls().stream().filter(s -> "/nonexistent/after-exec".equals(s.path())).count() >= 3);
        ProcessEvent exec = events.stream().filter(e -> e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.EXEC)
                .map(e -> (ProcessEvent) e).findFirst().orElseThrow();
        assertEquals("syscall", exec.mode());
        assertTrue(exec.reason().startsWith("escalated: exec of "), exec.reason());
        assertTrue(exec.previousExe() != null && exec.previousExe().endsWith("execer"), exec.toString());
        List<SyscallEvent> calls = syscalls();
        assertTrue(calls.stream().noneMatch(s -> s.syscall().equals("execve")),
                "the exec'ing call itself ran in lifecycle mode: its exit is not reported half: " + calls.get(0));
        // glibc's dynamic loader starts every program with brk(NULL): seen, so nothing ran unseen.
        assertEquals("brk", calls.get(0).syscall(), calls.subList(0, Math.min(5, calls.size())).toString());
        assertTrue(tracer.tracees().get(0).mode().escalated());
        tracer.close();
        TracerTest.assertRunsUntraced(p.pid());
    }

    @Test
    void tenThousandSwitchesUnderLoadLoseNothingAndPairEveryCall() throws Exception {
        ProcessHandle p = CPrograms.start("switcher", "4");
        tracer = Tracer.start(TraceOptions.defaults().withFilter(SyscallFilter.parse(List.of("trace=openat")))
                .withMode(TraceMode.LIFECYCLE), events::add);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 10_000; i++) {
            tracer.setMode((int) p.pid(), i % 2 == 0 ? TraceMode.SYSCALL : TraceMode.LIFECYCLE, false, false, null)
                    .get(5, TimeUnit.SECONDS);
            if (i % 1000 == 999) Thread.sleep(20); // let some spells last long enough to see calls
        }
        tracer.setMode((int) p.pid(), TraceMode.SYSCALL, false, false, null).get(5, TimeUnit.SECONDS);
        int before = syscalls().size();
        TracerBehaviourTest.await("calls in the final syscall spell", 5000, () -> syscalls().size() > before + 100);
        tracer.close();
        TracerTest.assertRunsUntraced(p.pid());
        assertEquals(0, tracer.stats().failures());

        Set<String> seen = new HashSet<>();
        Map<Integer, Long> lastSeq = new HashMap<>();
        int threads = 0;
        for (SyscallEvent s : syscalls()) {
            if (s.path().startsWith("/nonexistent/sw-")) {
                assertEquals("ENOENT", s.errno(), "a failing call reported with another call's result: " + s);
                assertTrue(seen.add(s.tid() + " " + s.path()), "reported twice: " + s);
                long seq = Long.parseLong(s.path().substring(s.path().lastIndexOf('-') + 1));
                Long last = lastSeq.put(s.tid(), seq);
                if (last == null) threads++;
                assertTrue(last == null || seq > last, "out of order for thread " + s.tid() + ": " + last + " then " + seq);
            } else {
                assertEquals("/etc/hostname", s.path(), s.toString());
                assertTrue(s.errno() == null && s.ret() >= 0, "a succeeding call reported with another's result: " + s);
            }
        }
        assertEquals(4, threads, "every thread was seen in syscall mode");
        assertTrue(seen.size() > 1000, "calls seen: " + seen.size());
    }
}
