package io.taskscope.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.cli.Main;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code taskscope trace --lifecycle}: a real shell loop followed at lifecycle cost by a real trace JVM. */
class TraceLifecycleTest {
    private final List<Process> jvms = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : jvms) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        CPrograms.killAll();
    }

    private Process trace(Path out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "trace"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        jvms.add(p);
        return p;
    }

    /** The loop's voluntary context switches: a ptrace stop puts the tracee to sleep, one switch a stop. */
    private static long switches(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("voluntary_ctxt_switches:")) return Long.parseLong(l.substring(24).strip());
        }
        throw new AssertionError("no voluntary_ctxt_switches for " + pid);
    }

    /** Switches of {@code pid} in one second while {@code jvm} traces it. */
    private static long switchesPerSecondTracedBy(long pid, Process jvm) throws Exception {
        TraceCommandTest.await("the JVM to attach", 30_000, () -> TraceCommandTest.tracedBy(pid, jvm));
        Thread.sleep(300);
        long before = switches(pid);
        Thread.sleep(1000);
        return switches(pid) - before;
    }

    @Test
    void followsExecsAndExitsWithoutStoppingTheShellsSystemCalls() throws Exception {
        Prereq.requireRoot();
        // builtins only between the execs: thousands of system calls a second (open, dup2, write, close of the
        // redirection), each two stops in syscall mode and none in lifecycle mode
        ProcessHandle loop = CPrograms.startShell("exec bash -c 'i=0; while :; do i=$((i+1)); echo $i >/dev/null; "
                + "if [ $((i % 3000)) = 0 ]; then /usr/bin/id >/dev/null; sh -c \"exit 3\"; fi; done'",
                CPrograms.dir().resolve("lifecycle-loop-" + System.nanoTime()));
        Path lifeOut = CPrograms.dir().resolve("trace-lifecycle-" + System.nanoTime() + ".out");
        Process life = trace(lifeOut, "--lifecycle", "-f", "-p", Long.toString(loop.pid()));
        long lifecycleSwitches = switchesPerSecondTracedBy(loop.pid(), life);
        TraceCommandTest.await("an exec and an exit", 20_000, () -> {
            try {
                String s = Files.readString(lifeOut);
                return s.contains("execve(\"/usr/bin/id\", [\"/usr/bin/id\"], ...) = 0") && s.contains("+++ exited with 3 +++");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        life.destroy(); // SIGTERM: detach, exit 0
        assertTrue(life.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, life.exitValue(), Files.readString(lifeOut));
        String text = Files.readString(lifeOut);
        assertTrue(text.contains("execve(\"/usr/bin/dash\", [\"sh\", \"-c\", \"exit 3\"], ...) = 0"), text);
        assertFalse(text.contains("write(") || text.contains("openat("), "no system call line: " + text);
        assertEquals(0, CPrograms.tracerPid(loop.pid()), "detached");

        Process sys = trace(CPrograms.dir().resolve("trace-syscall-" + System.nanoTime() + ".out"), "-f", "-o", "/dev/null",
                "-p", Long.toString(loop.pid()));
        long syscallSwitches = switchesPerSecondTracedBy(loop.pid(), sys);
        sys.destroy();
        assertTrue(sys.waitFor(10, TimeUnit.SECONDS));
        System.out.println("loop switches/s: lifecycle " + lifecycleSwitches + ", syscall " + syscallSwitches);
        assertTrue(syscallSwitches > 500, "syscall mode stops the loop's calls: " + syscallSwitches + " switches/s");
        assertTrue(lifecycleSwitches * 10 < syscallSwitches, "lifecycle mode: " + lifecycleSwitches
                + " switches/s, syscall mode: " + syscallSwitches);
    }

    @Test
    void lifecycleWithSummaryOrDurationsIsAUsageError() {
        TraceCommandTest.assertOneLineUsageError(TraceCommandTest.run("trace", "--lifecycle", "-c", "-p", "1"), "-c has nothing to show");
        TraceCommandTest.assertOneLineUsageError(TraceCommandTest.run("trace", "--events-only", "-T", "-p", "1"), "-T has nothing to show");
    }
}
