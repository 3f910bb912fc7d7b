package io.taskscope.cli.commands;

import static io.taskscope.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.cli.CliRun.Result;
import io.taskscope.cli.Main;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real neighbour started with secrets in its environment and on its command line: env, ps, inspect
 * and trace print none of them by default, keep the harmless look-alikes readable, and reveal with
 * --show-secrets.
 */
class RedactionCommandsTest {
    static final List<String> SECRETS = List.of("EnvPw1", "UrlPw2", "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "AKIAIOSFODNN7EXAMPLE", "ArgvPw3", "TokPw4", "UrlPw5");

    @AfterEach
    void kill() {
        CPrograms.killAll();
    }

    static ProcessHandle neighbour() {
        return CPrograms.startShell("DB_PASSWORD=EnvPw1 DATABASE_URL=postgres://app:UrlPw2@db/app "
                + "GH_PAT=ghp_0123456789abcdefghijABCDEFGHIJ012345 CONFIG=AKIAIOSFODNN7EXAMPLE PASSWORD_MIN_LENGTH=8 "
                + "TOKEN_TTL=3600 exec sh -c 'sleep 60; :' sh --password ArgvPw3 --token=TokPw4 postgres://u:UrlPw5@h/d -p 8080",
                CPrograms.dir().resolve("secrets-" + System.nanoTime() + ".out"));
    }

    static void noSecret(Result r) {
        for (String s : SECRETS) assertFalse(r.out().contains(s), s + " printed:\n" + r.out());
    }

    @Test
    void envPsAndInspectRedactByDefault() {
        ProcessHandle p = neighbour();
        String pid = Long.toString(p.pid());
        Result env = run("env", pid);
        assertEquals(0, env.code(), env.err());
        noSecret(env);
        assertTrue(env.out().contains("\nPASSWORD_MIN_LENGTH=8\n") && env.out().contains("\nTOKEN_TTL=3600\n"), env.out());
        assertTrue(env.out().contains("\nDATABASE_URL=postgres://app:<redacted>@db/app\n"), env.out());
        assertTrue(run("env", "--show-secrets", pid).out().contains("DB_PASSWORD=EnvPw1"));
        for (List<String> cmd : List.of(List.of("ps", "-p", pid), List.of("ps", "--json", "-p", pid),
                List.of("inspect", pid), List.of("inspect", "--json", pid))) {
            Result r = run(cmd.toArray(String[]::new));
            assertEquals(0, r.code(), cmd + ": " + r.err());
            noSecret(r);
            assertTrue(r.out().contains("--password <redacted>") || r.out().contains("\"--password\",\"<redacted>\""), cmd + ": " + r.out());
            assertTrue(r.out().contains("-p 8080") || r.out().contains("\"-p\",\"8080\""), "harmless stays: " + r.out());
        }
        assertTrue(run("ps", "--show-secrets", "-p", pid).out().contains("--password ArgvPw3"));
        assertTrue(run("inspect", "--show-secrets", pid).out().contains("ArgvPw3"));
    }

    @Test
    void traceRedactsExecveArgvAndProcessEvents() throws Exception {
        Prereq.requireRoot();
        ProcessHandle loop = CPrograms.startShell("exec sh -c 'for i in $(seq 600); do sh -c : x --password TracePw6 "
                + "postgres://u:TraceUrlPw7@db/app; sleep 0.2; done'", CPrograms.dir().resolve("loop-" + System.nanoTime() + ".out"));
        for (boolean json : new boolean[] {false, true}) {
            Path out = CPrograms.dir().resolve("trace-secrets-" + System.nanoTime() + ".out");
            List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "trace", "-f", "-e", "trace=execve",
                    "-p", Long.toString(loop.pid())));
            if (json) cmd.add("--json");
            Process t = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline && !(Files.exists(out) && Files.readString(out).contains("--password"))) Thread.sleep(100);
            } finally {
                t.destroy(); // SIGTERM: detaches and exits
                assertTrue(t.waitFor(10, TimeUnit.SECONDS));
            }
            String text = Files.readString(out);
            assertTrue(text.contains("\"--password\", \"<redacted>\"") || text.contains("--password"), text);
            assertTrue(text.contains("<redacted>"), text);
            assertFalse(text.contains("TracePw6") || text.contains("TraceUrlPw7"), text);
        }
    }
}
