package io.taskscope.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.cli.Main;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.HostileElf;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `taskscope env` as its own JVM (-Xmx128m, as small as a sidecar gets) against a neighbour that
 * maps a "libc.so.6" padded to hundreds of MiB: the file is not read whole, the peak RSS stays that
 * of a JVM, and the environment comes from the real C library.
 */
class EnvHostileCommandTest {
    static final String MARK = "TASKSCOPE_HOSTILE_MARK";

    @AfterEach
    void kill() {
        CPrograms.killAll();
    }

    record Run(int code, String out, long maxRssKib, long millis) {}

    /** Runs the CLI in a fresh JVM under /usr/bin/time (GNU time's %M: the peak RSS in KiB). */
    static Run env(String... args) throws Exception {
        Prereq.requireCommand("time"); // Debian package time (scripts/install-deps.sh)
        Path log = Files.createTempFile("taskscope-time", ".txt");
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/time", "-o", log.toString(), "-f", "%M",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "env"));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "env did not end: " + out);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String[] lines = Files.readString(log).strip().split("\n");
        Files.delete(log);
        return new Run(p.exitValue(), out, Long.parseLong(lines[lines.length - 1].strip()), ms);
    }

    static ProcessHandle hostile(String... args) throws Exception {
        Prereq.requireRoot();
        ProcessHandle p = CPrograms.startShell(MARK + "=hostile-42 exec " + CPrograms.binary("hostile_env") + " "
                + String.join(" ", args), CPrograms.dir().resolve("hostile-" + System.nanoTime() + ".out"));
        Path cmdline = Path.of("/proc/" + p.pid() + "/cmdline");
        for (int i = 0; i < 200 && !(Files.exists(cmdline) && Files.readString(cmdline).startsWith("hostile:")); i++) Thread.sleep(10);
        return p;
    }

    @ParameterizedTest(name = "{0} MiB")
    @ValueSource(ints = {127, 200})
    void aPaddedLibcDoesNotCostItsSize(int mib, @TempDir Path dir) throws Exception {
        Path libc = HostileElf.padded(dir.resolve("libc.so.6"), HostileElf.systemLibc(), (long) mib << 20);
        ProcessHandle p = hostile("map", libc.toString());
        Run r = env(Long.toString(p.pid()));
        System.out.println("env past a " + mib + " MiB libc: exit " + r.code() + ", peak RSS " + r.maxRssKib() / 1024
                + " MiB, " + r.millis() + " ms (JVM start included)");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("\n" + MARK + "=hostile-42\n"), r.out());
        assertTrue(r.maxRssKib() < 120 * 1024, "peak RSS " + r.maxRssKib() + " KiB");
    }

    @Test
    void anUnservedUserfaultfdEndsTheCommandWithOneLine() throws Exception {
        ProcessHandle p = hostile("uffd");
        Run r = env(Long.toString(p.pid()));
        System.out.println("env of a userfaultfd neighbour: exit " + r.code() + ", " + r.millis() + " ms (JVM start included)");
        assertEquals(1, r.code(), r.out());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().contains("userfaultfd"), r.out());
    }
}
