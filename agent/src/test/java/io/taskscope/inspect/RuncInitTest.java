package io.taskscope.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.task.Task;
import io.taskscope.testing.Prereq;
import io.taskscope.testing.RuncContainer;
import io.taskscope.trace.TraceOptions;
import io.taskscope.trace.Tracer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container being created: runc's init runs from a bind mount of runc's binary that runc has already detached,
 * so the kernel prints its /proc/PID/exe as "/". inspect, the tracer's events and the rules see it named as runc's
 * init instead, and the exec that starts the container says what ran before it.
 */
class RuncInitTest {
    @TempDir
    Path tmp;

    @Test
    void runcInitIsTheRuntimesInitNeverTheExePathSlash() throws Exception {
        Prereq.requireRoot();
        Prereq.requireCommand("runc");
        try (RuncContainer c = RuncContainer.create(tmp, RuncContainer.newId("tsinit"), List.of("/bin/sleep", "30"), 0, 0,
                "root:x:0:0:root:/root:/bin/sh\n", 0)) {
            int pid = c.pid();
            String raw = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
            // runc 1.1 (Debian 12's) detaches its binary's bind mount; a runc that clones into a memfd shows that path
            String expected = raw.equals("/") ? ProcReader.RUNC_INIT_EXE : raw;
            assertEquals(expected, new ProcReader(ProcPath.system()).exe(pid).orElseThrow());
            assertEquals(expected, Inspector.inspect(Task.snapshot(), pid).exe(), "taskscope inspect's exe");

            List<Event> events = new CopyOnWriteArrayList<>();
            try (Tracer tracer = Tracer.start(TraceOptions.defaults().withProcessEvents(true), events::add)) {
                tracer.attach(pid).get(10, TimeUnit.SECONDS);
                c.startCreated(); // runc init execs the container's process, traced
                ProcessEvent exec = null;
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); exec == null && System.nanoTime() < end; ) {
                    exec = events.stream().filter(e -> e instanceof ProcessEvent p && p.kind() == ProcessEvent.Kind.EXEC
                            && p.pid() == pid).map(e -> (ProcessEvent) e).findFirst().orElse(null);
                    if (exec == null) Thread.sleep(20);
                }
                assertNotNull(exec, "no exec event of the container's start: " + events);
                assertEquals(expected, exec.previousExe(), "what ran before the container's process");
                assertEquals("/usr/bin/sleep", exec.exe());
            }
        }
    }
}
