package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.TaskscopeException;
import io.taskscope.testing.HostileRoot;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * agent/src/test/c/titled.c overwrites its argv/environ area like nginx, built against glibc and
 * musl, with environ copy-relocated into the executable or left in the C library.
 */
class TitledProgramTest {
    static Path dir;

    @BeforeAll
    static void mkdir() throws Exception {
        dir = Files.createTempDirectory("taskscope-titled");
    }

    @AfterAll
    static void rm() throws Exception {
        HostileRoot.deleteTree(dir);
    }

    static Path build(String compiler, String... flags) throws Exception {
        Prereq.requireCommand(compiler);
        Path bin = dir.resolve(compiler + String.join("", flags).replace("-", "_"));
        List<String> cmd = new ArrayList<>(List.of(compiler, "-O1"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", bin.toString(), Prereq.projectRoot().resolve("agent/src/test/c/titled.c").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        return bin;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "gcc, -no-pie, executable",       // glibc, environ copy-relocated into the executable
            "gcc, -DVIA_PUTENV, libc.so.6",   // glibc, the C library's own __environ
            "musl-gcc, -fPIE, executable",     // musl, copy-relocated
            "musl-gcc, -DVIA_PUTENV, libc.so"  // musl's __environ in its libc.so / ld-musl
    })
    void recoversTheEnvironmentBehindATitle(String compiler, String flag, String where) throws Exception {
        Path bin = build(compiler, flag);
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "arg1", "arg2");
        pb.environment().put("TITLED_MARK", compiler + flag);
        Process p = pb.start();
        try {
            Environment env = null;
            for (int i = 0; i < 50; i++) { // until the title is set
                Thread.sleep(20);
                env = EnvironReader.read((int) p.pid(), EnvironReader.Mode.AUTO);
                if (env.source() == Environment.Source.RECOVERED) break;
            }
            assertEquals(Environment.Source.RECOVERED, env.source());
            assertTrue(env.procfsProblem().contains("by the process title (\"titled: the environment was here\")"),
                    env.procfsProblem());
            assertEquals(compiler + flag, EnvRecoveryTest.value(env, "TITLED_MARK"), env.detail());
            assertTrue(env.detail().contains(where.equals("executable") ? bin.toString() : where), env.detail());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @CsvSource({"musl-gcc, -static"})
    void aStaticBinaryIsExplained(String compiler, String flag) throws Exception {
        Path bin = build(compiler, flag);
        Process p = new ProcessBuilder(bin.toString(), "x").start();
        try {
            Thread.sleep(200);
            TaskscopeException e = assertThrows(TaskscopeException.class, () -> EnvironReader.read((int) p.pid(), EnvironReader.Mode.AUTO));
            assertTrue(e.oneLine().contains("static binary"), e.oneLine());
            assertTrue(e.oneLine().contains("by the process title"), e.oneLine());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
