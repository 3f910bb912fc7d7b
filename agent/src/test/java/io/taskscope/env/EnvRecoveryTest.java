package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.HostileRoot;
import io.taskscope.testing.Prereq;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real nginx and php-fpm, started with a known variable: their process titles overwrite
 * /proc/PID/environ, and env must still find the variable in memory.
 */
class EnvRecoveryTest {
    static final String MARK = "TASKSCOPE_ENV_MARK";

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Process start(Map<String, String> env, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** The first child of pid, waiting for it to appear and exec. */
    static int child(Process p) throws InterruptedException {
        for (int i = 0; i < 250; i++) {
            Optional<ProcessHandle> c = p.children().findFirst();
            if (c.isPresent()) {
                Thread.sleep(100); // let it finish setting its title and environment
                return (int) c.get().pid();
            }
            if (!p.isAlive()) break;
            Thread.sleep(20);
        }
        throw new IllegalStateException("no worker appeared under " + p.pid());
    }

    static void stop(Process p, Path dir) throws IOException, InterruptedException {
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        HostileRoot.deleteTree(dir);
    }

    static String value(Environment env, String name) {
        return env.variables().stream().filter(v -> v.name().equals(name)).map(EnvVar::value).findFirst().orElse(null);
    }

    @Test
    void nginxMasterIsRecovered() throws Exception {
        Prereq.requireRoot();
        Path nginx = Prereq.requireCommand("nginx");
        Path dir = Files.createTempDirectory("taskscope-nginx");
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off; master_process on; worker_processes 1;
                pid %1$s/nginx.pid; error_log %1$s/error.log;
                events {}
                http { access_log off; client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s;
                  uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  server { listen 127.0.0.1:%2$d; location / { return 200 "ok"; } } }
                """.formatted(dir, freePort()));
        Process p = null;
        try {
            p = start(Map.of(MARK, "nginx-master-42", "DB_PASSWORD", "hunter2"), nginx.toString(), "-p", dir.toString(),
                    "-c", dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString());
            child(p); // the master has set its title once a worker exists
            Environment env = EnvironReader.read((int) p.pid(), EnvironReader.Mode.AUTO);
            assertEquals(Environment.Source.RECOVERED, env.source());
            assertTrue(env.procfsProblem().contains("overwritten") || env.procfsProblem().contains("empty"), env.procfsProblem());
            assertEquals("nginx-master-42", value(env, MARK));
            assertEquals(Redaction.MASK, value(env.redacted(false), "DB_PASSWORD"));
            assertEquals("hunter2", value(env.redacted(true), "DB_PASSWORD"));
            assertTrue(env.detail().contains("environ"), env.detail());
        } finally {
            stop(p, dir);
        }
    }

    static Process phpFpm(Path dir, String clearEnv) throws Exception {
        Path fpm = Prereq.requireCommand("php-fpm8.2");
        Files.writeString(dir.resolve("fpm.conf"), """
                [global]
                pid = %1$s/fpm.pid
                error_log = %1$s/fpm.log
                daemonize = no
                [www]
                user = www-data
                group = www-data
                listen = 127.0.0.1:%2$d
                pm = static
                pm.max_children = 1
                clear_env = %3$s
                """.formatted(dir, freePort(), clearEnv));
        return start(Map.of(MARK, "php-fpm-7"), fpm.toString(), "-n", "-F", "-y", dir.resolve("fpm.conf").toString());
    }

    @Test
    void phpFpmMasterAndWorkerAreRecoveredWithClearEnvNo() throws Exception {
        Prereq.requireRoot();
        Path dir = Files.createTempDirectory("taskscope-fpm");
        Process p = null;
        try {
            p = phpFpm(dir, "no");
            int worker = child(p);
            for (int pid : new int[] {(int) p.pid(), worker}) {
                Environment env = EnvironReader.read(pid, EnvironReader.Mode.AUTO);
                assertEquals(Environment.Source.RECOVERED, env.source(), "pid " + pid + ": " + env);
                assertEquals("php-fpm-7", value(env, MARK), "pid " + pid);
            }
        } finally {
            stop(p, dir);
        }
    }

    @Test
    void phpFpmWorkerWithDefaultClearEnvShowsWhatIsLiveAndSaysWhy() throws Exception {
        Prereq.requireRoot();
        Path dir = Files.createTempDirectory("taskscope-fpm");
        Process p = null;
        try {
            p = phpFpm(dir, "yes");
            Environment env = EnvironReader.read(child(p), EnvironReader.Mode.AUTO);
            assertEquals(Environment.Source.RECOVERED, env.source());
            assertEquals(null, value(env, MARK), "cleared by clear_env=yes");
            List<String> names = env.variables().stream().map(EnvVar::name).toList();
            assertTrue(names.contains("USER") || names.isEmpty(), names.toString());
            assertTrue(env.note().contains("live environment") && env.note().contains("clear_env"), env.note());
        } finally {
            stop(p, dir);
        }
    }

    @Test
    void aPlainProcessComesFromProcfs() throws Exception {
        Process p = start(Map.of(MARK, "plain-sleep"), "sleep", "60");
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
