package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.TaskscopeException;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.HostileElf;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A neighbour with a hostile "libc" or a userfaultfd (agent/src/test/c/hostile_env.c): env answers
 * within a second, with the environment or with a one-line reason, never hangs.
 */
class EnvHostileTest {
    static final String MARK = "TASKSCOPE_HOSTILE_MARK";

    /**
     * One live read of a plain process first, so that the timings below measure the work a hostile file
     * or page causes, not the JVM loading JNA and compiling the reader (a cold `taskscope env` pays that
     * once, before the deadline's clock starts).
     */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            Thread.sleep(50);
            EnvironReader.read((int) p.pid(), EnvironReader.Mode.LIVE);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void kill() {
        CPrograms.killAll();
    }

    /** Starts hostile_env with {@code args}, waits until it has set its title (its environ is then in place). */
    static ProcessHandle start(String... args) throws Exception {
        Prereq.requireRoot(); // a userfaultfd that catches other processes' reads needs CAP_SYS_PTRACE
        ProcessHandle p = CPrograms.startShell(MARK + "=hostile-42 exec " + CPrograms.binary("hostile_env")
                + " " + String.join(" ", args), CPrograms.dir().resolve("hostile-" + System.nanoTime() + ".out"));
        Path cmdline = Path.of("/proc/" + p.pid() + "/cmdline");
        for (int i = 0; i < 200; i++) {
            if (Files.exists(cmdline) && new String(Files.readAllBytes(cmdline)).startsWith("hostile:")) return p;
            Thread.sleep(10);
        }
        throw new IllegalStateException("hostile_env " + String.join(" ", args) + " did not start: "
                + Files.readString(CPrograms.dir().resolve(Files.list(CPrograms.dir()).filter(f -> f.getFileName()
                        .toString().startsWith("hostile-")).findFirst().orElseThrow())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"uffd", "uffd-string"})
    void anUnservedUserfaultfdPageIsGivenUpOnWithinASecond(String mode) throws Exception {
        ProcessHandle p = start(mode);
        long t0 = System.nanoTime();
        TaskscopeException e = assertThrows(TaskscopeException.class, () -> EnvironReader.read((int) p.pid(), EnvironReader.Mode.AUTO));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "answered after " + ms + " ms");
        String line = e.oneLine();
        assertTrue(line.contains("did not finish within " + EnvironReader.STALL_MILLIS + " ms:"), line);
        assertTrue(line.contains("userfaultfd (fd "), line);
        assertTrue(line.contains(mode.equals("uffd") ? "the environment array at 0x" : "environment string 0 at 0x"), line);
        assertEquals(-1, line.indexOf('\n'));
    }

    @ParameterizedTest
    @EnumSource(HostileElf.Shape.class)
    void aCraftedLibcCostsMillisecondsAndHidesNothing(HostileElf.Shape shape, @TempDir Path dir) throws Exception {
        Path libc = HostileElf.write(Files.createDirectory(dir.resolve(shape.name())).resolve("libc.so.6"), shape,
                shape == HostileElf.Shape.REPEATED_DYNSYM ? 65536 : ElfSymbols.MAX_SYMBOLS);
        recoveredPast(libc, start("map", libc.toString()));
    }

    @Test
    void aLibcPaddedTo200MiBIsNotReadWhole(@TempDir Path dir) throws Exception {
        Path libc = HostileElf.padded(dir.resolve("libc.so.6"), HostileElf.systemLibc(), 200L << 20);
        recoveredPast(libc, start("map", libc.toString()));
    }

    /** env finds the real environment (through the real C library) within a second, the decoy tried and named. */
    static void recoveredPast(Path decoy, ProcessHandle p) {
        long t0 = System.nanoTime();
        Environment env = EnvironReader.read((int) p.pid(), EnvironReader.Mode.AUTO);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("env past " + decoy + ": " + ms + " ms");
        assertTrue(ms < 1000, "answered after " + ms + " ms");
        assertEquals(Environment.Source.RECOVERED, env.source());
        assertEquals("hostile-42", EnvRecoveryTest.value(env, MARK), env.detail());
        assertTrue(env.detail().contains(decoy.toString()), "the decoy was tried and is named: " + env.detail());
    }
}
