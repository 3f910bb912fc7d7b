package io.taskscope.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Real nginx and php-fpm for tests: own temp directory, a free loopback port, killed with their workers on close. */
public final class Daemons {
    private Daemons() {}

    /** A running daemon: its master process, its directory and port. */
    public record Daemon(Process process, Path dir, int port) implements AutoCloseable {
        public int pid() {
            return (int) process.pid();
        }

        /** The first worker, waiting for it to appear and settle (title and environment set). */
        public int worker() throws InterruptedException {
            return child(process);
        }

        /**
         * Stops the master first (SIGSTOP): nginx and php-fpm respawn a killed worker at once, and a
         * worker forked between listing and killing would be left behind as an orphan.
         */
        @Override
        public void close() throws IOException, InterruptedException {
            try {
                io.taskscope.linux.LibC.kill(pid(), 19); // SIGSTOP, same number on x86_64 and aarch64
            } catch (com.sun.jna.LastErrorException e) {
                // already gone
            }
            var workers = process.descendants().toList();
            process.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
            process.waitFor(10, TimeUnit.SECONDS);
            HostileRoot.deleteTree(dir);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static int child(Process p) throws InterruptedException {
        for (int i = 0; i < 250; i++) {
            Optional<ProcessHandle> c = p.children().findFirst();
            if (c.isPresent()) {
                Thread.sleep(100);
                return (int) c.get().pid();
            }
            if (!p.isAlive()) break;
            Thread.sleep(20);
        }
        throw new IllegalStateException("no worker appeared under " + p.pid());
    }

    private static Process start(Map<String, String> env, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** nginx in the foreground (master + one worker) on 127.0.0.1:port. */
    public static Daemon nginx(Map<String, String> env) throws IOException {
        Prereq.requireRoot();
        Path nginx = Prereq.requireCommand("nginx");
        Path dir = Files.createTempDirectory("taskscope-nginx");
        int port = freePort();
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off; master_process on; worker_processes 1;
                pid %1$s/nginx.pid; error_log %1$s/error.log;
                events {}
                http { access_log off; client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s;
                  uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  server { listen 127.0.0.1:%2$d; location / { return 200 "ok"; } } }
                """.formatted(dir, port));
        return new Daemon(start(env, nginx.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("error.log").toString()), dir, port);
    }

    /** php-fpm 8.2 in the foreground, one static pool worker as www-data, with the given clear_env. */
    public static Daemon phpFpm(Map<String, String> env, String clearEnv) throws IOException {
        Prereq.requireRoot();
        Path fpm = Prereq.requireCommand("php-fpm8.2");
        Path dir = Files.createTempDirectory("taskscope-fpm");
        int port = freePort();
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
                """.formatted(dir, port, clearEnv));
        return new Daemon(start(env, fpm.toString(), "-n", "-F", "-y", dir.resolve("fpm.conf").toString()), dir, port);
    }
}
