package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.Event;
import io.taskscope.event.EventJson;
import io.taskscope.event.EventJsonReader;
import io.taskscope.event.ProcessEvent;
import io.taskscope.proc.ProcPath;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import io.taskscope.trace.TraceOptions;
import io.taskscope.trace.Tracer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A neighbour becoming a tracer: a real strace attaches to a real process while Discovery scans. */
class ForeignTracersTest {
    @AfterEach
    void cleanUp() {
        CPrograms.killAll();
    }

    private static List<ProcessEvent> traced(List<Event> events, long pid) {
        return events.stream().filter(e -> e instanceof ProcessEvent p && p.kind() == ProcessEvent.Kind.TRACED
                && p.pid() == pid).map(e -> (ProcessEvent) e).toList();
    }

    @Test
    void aProcessTracedBySomeoneElseIsOneEventPerTracer() throws Exception {
        Prereq.requireRoot();
        Prereq.requireCommand("strace");
        // selects nothing: this test must not attach to the machine's processes
        AgentConfig config = AgentConfig.load(Map.of("TASKSCOPE_CONTAINERS", "no-such-container-" + System.nanoTime()),
                Optional.empty(), new java.util.ArrayList<>());
        Discovery discovery = new Discovery(config, ProcPath.system(), Optional.empty());
        List<Event> events = new CopyOnWriteArrayList<>();
        discovery.reportForeignTracers(events::add);
        ProcessHandle target = CPrograms.startShell("exec sleep 120", CPrograms.dir().resolve("sleeper-" + System.nanoTime()));
        try (Tracer tracer = Tracer.start(TraceOptions.defaults(), e -> true)) {
            discovery.scan(tracer).join();
            // our own tracer attached is not "someone else"
            ProcessHandle other = CPrograms.startShell("exec sleep 120", CPrograms.dir().resolve("sleeper2-" + System.nanoTime()));
            tracer.attach((int) other.pid()).join();
            ProcessHandle strace = CPrograms.startShell("exec strace -p " + target.pid() + " -e trace=none -o /dev/null",
                    CPrograms.dir().resolve("strace-" + System.nanoTime()));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (CPrograms.tracerPid(target.pid()) <= 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(strace.pid(), CPrograms.tracerPid(target.pid()), "strace attached");
            for (int i = 0; i < 5; i++) { // scans with and without a snapshot: still one event
                discovery.scan(tracer).join();
                Thread.sleep(50);
            }
            List<ProcessEvent> seen = traced(events, target.pid());
            assertEquals(1, seen.size(), events.toString());
            ProcessEvent e = seen.get(0);
            assertEquals(strace.pid(), (long) e.tracerPid());
            assertEquals("sleep", e.comm());
            assertEquals(List.of(), traced(events, other.pid()), "traced by this JVM: no event");
            // the event's JSON carries the tracer and reads back
            String json = EventJson.toJson(e);
            assertTrue(json.contains("\"kind\":\"traced\"") && json.contains("\"tracerPid\":" + strace.pid()), json);
            ProcessEvent back = (ProcessEvent) EventJsonReader.parse(json).orElseThrow();
            assertEquals(e.tracerPid(), back.tracerPid());
            assertNotNull(back.kind());
            // the bounded sweep of a scan without a snapshot finds it too, within a few scans, once
            List<Event> swept = new CopyOnWriteArrayList<>();
            ForeignTracers sweeper = new ForeignTracers(ProcPath.system(), swept::add);
            int n = discovery.task().processes().size();
            for (int i = 0; i < 3 * n && traced(swept, target.pid()).isEmpty(); i++) {
                sweeper.sweep(discovery.task());
                assertTrue(sweeper.lastSweepReads() > 0);
            }
            for (int i = 0; i < 20; i++) sweeper.sweep(discovery.task());
            assertEquals(1, traced(swept, target.pid()).size(), swept.toString());
            strace.destroy();
            tracer.detach((int) other.pid()).join();
        }
    }
}
