package io.taskscope.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.taskscope.decode.SyscallFilter;
import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Threads, forks, exec, signals, job control and exits of real traced processes. */
class TracerBehaviourTest {
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

    void start(String filter, boolean follow) {
        tracer = Tracer.start(TraceOptions.defaults().withFilter(SyscallFilter.parse(List.of(filter)))
                .withFollowForks(follow), events::add);
    }

    static void await(String what, long millis, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (cond.getAsBoolean()) return;
            Thread.sleep(5);
        }
        fail("timed out waiting for " + what);
    }

    /** 't' is also every syscall-stop for an instant: a group-stop is 't' or 'T' for 100 ms on end. */
    static boolean stoppedSteadily(long pid) {
        for (int i = 0; i < 10; i++) {
            if ("tT".indexOf(CPrograms.state(pid)) < 0) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    long count(Predicate<SyscallEvent> p) {
        return events.stream().filter(e -> e instanceof SyscallEvent s && p.test(s)).count();
    }

    /** The program rewrites the file (truncate, write): retry until it reads complete. */
    static String read(Path p) {
        for (int i = 0; i < 100; i++) {
            try {
                String s = Files.readString(p);
                if (s.endsWith("\n")) return s.strip();
            } catch (Exception e) {
                // not written yet
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return "";
    }

    @Test
    void threadsCreatedAndEndedWhileTracedAreTraced() throws Exception {
        ProcessHandle p = CPrograms.start("threads", "0", "4");
        start("trace=%file", false);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        await("stats from 4 distinct new threads", 5000, () -> events.stream()
                .filter(e -> e instanceof SyscallEvent s && s.syscall().contains("stat") && s.tid() != s.pid())
                .map(e -> ((SyscallEvent) e).args().get(1)).distinct().count() >= 4);
        SyscallEvent s = (SyscallEvent) events.stream().filter(e -> e instanceof SyscallEvent x && x.tid() != x.pid())
                .findFirst().orElseThrow();
        assertEquals(p.pid(), s.pid(), "threads report their process");
        assertTrue(s.path().startsWith("/nonexistent/thread-"), s.path());
        assertEquals("ENOENT", s.errno());
        tracer.close();
        TracerTest.assertRunsUntraced(p.pid());
        for (ProcessHandle t : List.of(p)) assertTrue(t.isAlive());
    }

    @Test
    void aThreadThatEndsIsAnExitLineOfItsOwnWhereAskedForAndNothingOtherwise() throws Exception {
        ProcessHandle p = CPrograms.start("threads", "0", "4");
        tracer = Tracer.start(TraceOptions.defaults().withFilter(SyscallFilter.parse(List.of("trace=%file")))
                .withThreadExits(true), events::add);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        // strace: "[pid TID] +++ exited with 0 +++" for each thread, the process's own exit line only at its end
        await("4 thread exits", 5000, () -> events.stream().filter(e -> e instanceof ProcessEvent pe
                && pe.kind() == ProcessEvent.Kind.THREAD_EXIT).count() >= 4);
        // a thread that ran before the attach may end without a traced call: look at one whose calls were traced
        ProcessEvent exit = (ProcessEvent) events.stream().filter(e -> e instanceof ProcessEvent pe
                && pe.kind() == ProcessEvent.Kind.THREAD_EXIT && events.stream()
                        .anyMatch(c -> c instanceof SyscallEvent s && s.tid() == pe.pid())).findFirst()
                .orElseThrow(() -> new AssertionError("no thread exit with the same id as a thread's calls: " + events));
        assertTrue(exit.pid() != p.pid() && exit.ppid() == p.pid(), "the thread's id, and its process: " + exit);
        assertEquals(0, exit.exitCode());
        assertEquals("[pid " + exit.pid() + "] +++ exited with 0 +++", new io.taskscope.decode.StraceFormat(
                io.taskscope.decode.StraceFormat.Timestamps.NONE, false, true, java.time.ZoneOffset.UTC).line(exit).orElseThrow()
                .replaceAll("\\[pid +", "[pid "));
        assertTrue(events.stream().noneMatch(e -> e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.EXIT));
        tracer.close();

        events.clear();
        start("trace=%file", false); // the agent's options: processes, not threads
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        await("stats from new threads", 5000, () -> events.stream().filter(e -> e instanceof SyscallEvent s && s.tid() != s.pid()).count() >= 8);
        assertTrue(events.stream().noneMatch(e -> e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.THREAD_EXIT));
        tracer.close();
        TracerTest.assertRunsUntraced(p.pid());
        assertTrue(p.isAlive());
        p.destroy();
    }

    @Test
    void followsForksWithDashFAndNeverSwallowsSigchld() throws Exception {
        Path out = CPrograms.dir().resolve("forker-" + System.nanoTime());
        ProcessHandle p = CPrograms.start("forker", out.toString(), "0");
        start("trace=%file", true);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        await("an open from a child", 5000, () -> count(s -> "/nonexistent/child".equals(s.path()) && s.pid() != p.pid()) >= 3);
        await("child start and exit events", 2000, () -> events.stream().anyMatch(e -> e instanceof ProcessEvent pe
                && pe.kind() == ProcessEvent.Kind.EXIT && pe.exitCode() != null && pe.exitCode() == 3));
        assertTrue(events.stream().anyMatch(e -> e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.START
                && pe.ppid() == p.pid()));
        assertTrue(events.stream().anyMatch(e -> e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.START
                && pe.pid() == p.pid()), "the attached process itself has a start event, as docs/events.md says");
        String before = read(out);
        Thread.sleep(300);
        tracer.close();
        Thread.sleep(200);
        String[] f = read(out).split(" ");
        assertEquals(f[0], f[1], "every child reaped with status 3: " + String.join(" ", f) + " (before close: " + before + ")");
        assertEquals(f[0], f[2], "one SIGCHLD per child: " + String.join(" ", f));
        TracerTest.assertRunsUntraced(p.pid());
    }

    @Test
    void withoutDashFChildrenAreLeftAlone() throws Exception {
        Path out = CPrograms.dir().resolve("forker-" + System.nanoTime());
        ProcessHandle p = CPrograms.start("forker", out.toString(), "0");
        start("trace=%file", false);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        Thread.sleep(500);
        assertEquals(0, count(s -> "/nonexistent/child".equals(s.path())), "children are not traced without -f");
        String[] f = read(out).split(" ");
        assertEquals(f[0], f[2], "one SIGCHLD per child: " + String.join(" ", f));
        await("only the parent traced (children are released at their first stop)", 2000,
                () -> tracer.tracees().size() == 1);
        Thread.sleep(200);
        assertEquals(1, tracer.tracees().size(), tracer.tracees().toString());
    }

    void execTest(String mode) throws Exception {
        ProcessHandle p = CPrograms.start("execer", mode, "400");
        start("trace=%file", false);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        await("stats after exec", 5000, () -> count(s -> "/nonexistent/after-exec".equals(s.path())) >= 3);
        SyscallEvent exec = (SyscallEvent) events.stream().filter(e -> e instanceof SyscallEvent s && s.syscall().equals("execve"))
                .findFirst().orElseThrow(() -> new AssertionError("no execve event: " + events));
        assertEquals("\"/proc/self/exe\"", exec.args().get(0));
        assertTrue(exec.args().get(1).contains("\"after\""), exec.args().toString());
        assertEquals(0, exec.ret());
        assertEquals(p.pid(), exec.tid(), "after exec the thread has the leader's tid");
        assertTrue(events.stream().anyMatch(e -> e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.EXEC
                && pe.pid() == p.pid() && pe.argv().contains("after")));
        SyscallEvent last = (SyscallEvent) events.stream().filter(e -> e instanceof SyscallEvent).reduce((a, b) -> b).orElseThrow();
        assertEquals(p.pid(), last.tid());
        assertEquals(1, tracer.tracees().size());
        assertEquals(1, tracer.tracees().get(0).threads(), "the other threads are gone after exec");
        tracer.close();
        TracerTest.assertRunsUntraced(p.pid());
    }

    @Test
    void execFromTheMainThread() throws Exception {
        execTest("leader");
    }

    @Test
    void execFromANonLeaderThread() throws Exception {
        execTest("thread");
    }

    @Test
    void signalsReachTheTraceeAndItsHandlerRuns() throws Exception {
        Path out = CPrograms.dir().resolve("sigusr-" + System.nanoTime());
        ProcessHandle p = CPrograms.start("sigusr", out.toString());
        start("trace=%file", false);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        await("traced", 2000, () -> count(s -> true) > 0);
        for (int i = 0; i < 5; i++) {
            new ProcessBuilder("kill", "-USR1", Long.toString(p.pid())).start().waitFor();
            Thread.sleep(30);
        }
        await("5 handled signals", 3000, () -> read(out).equals("5"));
        assertTrue(p.isAlive());
    }

    @Test
    void signalLinesAreStracesOwn() throws Exception {
        Path out = CPrograms.dir().resolve("sigusr-" + System.nanoTime());
        ProcessHandle p = CPrograms.start("sigusr", out.toString());
        tracer = Tracer.start(TraceOptions.defaults().withFilter(SyscallFilter.parse(List.of("trace=none")))
                .withSignalEvents(true), events::add);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(p.pid())).start();
        kill.waitFor();
        new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start().waitFor();
        await("stopped", 3000, () -> events.stream().anyMatch(e -> e instanceof io.taskscope.event.SignalEvent sg
                && sg.kind() == io.taskscope.event.SignalEvent.Kind.STOPPED));
        new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
        await("continued", 3000, () -> events.stream().anyMatch(e -> e instanceof io.taskscope.event.SignalEvent sg
                && sg.signal().equals("SIGCONT")));
        io.taskscope.decode.StraceFormat f = new io.taskscope.decode.StraceFormat(io.taskscope.decode.StraceFormat.Timestamps.NONE,
                false, false, java.time.ZoneId.of("UTC"));
        List<String> lines = events.stream().filter(e -> e instanceof io.taskscope.event.SignalEvent)
                .flatMap(e -> f.line(e).stream()).toList();
        // As strace 6.1 prints them for the same kills (compared by hand: identical).
        assertEquals(List.of(
                "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=" + kill.pid() + ", si_uid=0} ---",
                "--- SIGSTOP {si_signo=SIGSTOP, si_code=SI_USER, si_pid=", "--- stopped by SIGSTOP ---",
                "--- SIGCONT {si_signo=SIGCONT, si_code=SI_USER, si_pid="),
                lines.stream().map(l -> l.contains("SIGSTOP {") || l.contains("SIGCONT {") ? l.substring(0, l.indexOf("si_pid=") + 7) : l)
                        .toList());
        assertTrue(p.isAlive());
    }

    @Test
    void sigstopReallyStopsAndSigcontResumes() throws Exception {
        ProcessHandle p = CPrograms.start("fileloop", "0", "10000");
        start("trace=%file", false);
        tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
        await("traced", 2000, () -> count(s -> true) > 0);
        new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start().waitFor();
        // A group-stopped tracee shows as 't' while traced (strace's tracees too), 'T' once detached.
        await("group-stop", 3000, () -> stoppedSteadily(p.pid()));
        long frozen = count(s -> true);
        Thread.sleep(300);
        assertTrue("tT".indexOf(CPrograms.state(p.pid())) >= 0, "stays stopped");
        assertTrue(count(s -> true) - frozen <= 1, "no syscalls while stopped");
        new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
        await("running again", 3000, () -> CPrograms.state(p.pid()) != 'T' && count(s -> true) > frozen + 5);
        // Detaching from a stopped process leaves it stopped (it was stopped by the user), running one runs.
        new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start().waitFor();
        await("stopped again", 3000, () -> stoppedSteadily(p.pid()));
        tracer.close();
        await("T after detach", 3000, () -> CPrograms.state(p.pid()) == 'T');
        assertEquals(0, CPrograms.tracerPid(p.pid()));
        new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
        await("runs after detach + SIGCONT", 3000, () -> "SR".indexOf(CPrograms.state(p.pid())) >= 0);
    }

    @Test
    void exitAndKillAreReportedAndEndTheTrace() throws Exception {
        ProcessHandle exiting = CPrograms.start("fileloop", "0", "10000"); // exits 0 on SIGTERM
        ProcessHandle killed = CPrograms.start("fileloop", "0", "10000");
        start("trace=%file", false);
        tracer.attach((int) exiting.pid()).get(5, TimeUnit.SECONDS);
        tracer.attach((int) killed.pid()).get(5, TimeUnit.SECONDS);
        exiting.destroy(); // SIGTERM, delivered through the tracer to the program's handler
        await("exit of the first", 5000, () -> events.stream().anyMatch(e -> e instanceof ProcessEvent pe
                && pe.pid() == exiting.pid() && pe.kind() == ProcessEvent.Kind.EXIT && Integer.valueOf(0).equals(pe.exitCode())));
        killed.destroyForcibly();
        await("SIGKILL reported", 5000, () -> events.stream().anyMatch(e -> e instanceof ProcessEvent pe
                && pe.pid() == killed.pid() && "SIGKILL".equals(pe.signal())));
        tracer.allGone().get(5, TimeUnit.SECONDS);
        assertTrue(tracer.tracees().isEmpty());
        assertTrue(tracer.isAlive(), "the tracer waits for more work");
    }
}
