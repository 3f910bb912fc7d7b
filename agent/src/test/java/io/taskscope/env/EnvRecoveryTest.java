package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.Daemons;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real nginx and php-fpm, started with a known variable: their process titles overwrite
 * /proc/PID/environ, and env must still find the variable in memory.
 */
class EnvRecoveryTest {
    static final String MARK = "TASKSCOPE_ENV_MARK";

    static String value(Environment env, String name) {
        return env.variables().stream().filter(v -> v.name().equals(name)).map(EnvVar::value).findFirst().orElse(null);
    }

    @Test
    void nginxMasterIsRecovered() throws Exception {
        try (var d = Daemons.nginx(Map.of(MARK, "nginx-master-42", "DB_PASSWORD", "hunter2"))) {
            d.worker(); // the master has set its title once a worker exists
            Environment env = EnvironReader.read(d.pid(), EnvironReader.Mode.AUTO);
            assertEquals(Environment.Source.RECOVERED, env.source());
            assertTrue(env.procfsProblem().contains("overwritten") || env.procfsProblem().contains("empty"), env.procfsProblem());
            assertEquals("nginx-master-42", value(env, MARK));
            assertEquals(Redaction.MASK, value(env.redacted(false), "DB_PASSWORD"));
            assertEquals("hunter2", value(env.redacted(true), "DB_PASSWORD"));
            assertTrue(env.detail().contains("environ"), env.detail());
        }
    }

    @Test
    void phpFpmMasterAndWorkerAreRecoveredWithClearEnvNo() throws Exception {
        try (var d = Daemons.phpFpm(Map.of(MARK, "php-fpm-7"), "no")) {
            int worker = d.worker();
            for (int pid : new int[] {d.pid(), worker}) {
                Environment env = EnvironReader.read(pid, EnvironReader.Mode.AUTO);
                assertEquals(Environment.Source.RECOVERED, env.source(), "pid " + pid + ": " + env);
                assertEquals("php-fpm-7", value(env, MARK), "pid " + pid);
            }
        }
    }

    @Test
    void phpFpmWorkerWithDefaultClearEnvShowsWhatIsLiveAndSaysWhy() throws Exception {
        try (var d = Daemons.phpFpm(Map.of(MARK, "php-fpm-7"), "yes")) {
            Environment env = EnvironReader.read(d.worker(), EnvironReader.Mode.AUTO);
            assertEquals(Environment.Source.RECOVERED, env.source());
            assertEquals(null, value(env, MARK), "cleared by clear_env=yes");
            List<String> names = env.variables().stream().map(EnvVar::name).toList();
            assertTrue(names.contains("USER") || names.isEmpty(), names.toString());
            assertTrue(env.note().contains("live environment") && env.note().contains("clear_env"), env.note());
        }
    }

    @Test
    void aPlainProcessComesFromProcfs() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sleep", "60");
        pb.environment().put(MARK, "plain-sleep");
        Process p = pb.start();
        try {
            Thread.sleep(100);
            Environment env = EnvironReader.read((int) p.pid(), EnvironReader.Mode.AUTO);
            assertEquals(Environment.Source.PROCFS, env.source());
            assertEquals(null, env.procfsProblem());
            assertEquals("plain-sleep", value(env, MARK));
            Environment live = EnvironReader.read((int) p.pid(), EnvironReader.Mode.LIVE);
            assertEquals(Environment.Source.RECOVERED, live.source());
            assertEquals("plain-sleep", value(live, MARK), "the live environment agrees with procfs");
            assertFalse(live.variables().isEmpty());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aGoneProcessSaysSo() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.taskscope.TaskscopeException.class,
                () -> EnvironReader.read(999_999_999, EnvironReader.Mode.AUTO));
        assertTrue(e.oneLine().contains("does not exist"), e.oneLine());
    }
}
