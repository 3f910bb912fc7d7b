package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.Prereq;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo images cannot be built here (no Docker engine): what can be checked of them is checked with the
 * tools the lab runs them with. The lab shares these very files with the images.
 */
class ImagesTest {
    static final Path ROOT = Prereq.projectRoot();

    record Run(int code, String output) {}

    static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 30 s");
        }
        return new Run(p.exitValue(), out);
    }

    /** `nginx -t` on the web image's server block inside the lab's main config (as the lab runs it). */
    @Test
    void theServerBlockPassesNginxT(@TempDir Path dir) throws Exception {
        Path nginx = Prereq.requireCommand("nginx");
        Path conf = dir.resolve("conf");
        Files.createDirectories(conf.resolve("conf.d"));
        // Logs, pid and temp files into the test's directory instead of /var/log and /tmp.
        String main = Files.readString(ROOT.resolve("images/lab/nginx.conf"))
                .replace("/tmp/", dir + "/").replace("/var/log/nginx/", dir + "/");
        Files.writeString(conf.resolve("nginx.conf"), main);
        Files.copy(ROOT.resolve("images/web/default.conf"), conf.resolve("conf.d/default.conf"));
        for (String f : List.of("mime.types", "fastcgi_params")) {
            Path host = Path.of("/etc/nginx", f);
            Prereq.require(Files.isReadable(host), host + " (Debian's nginx-common)");
            Files.copy(host, conf.resolve(f));
        }
        Run r = run(List.of(nginx.toString(), "-t", "-p", dir.toString(), "-e", "stderr",
                "-c", conf.resolve("nginx.conf").toString()));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("test is successful"), r.output());
    }

    @Test
    void testPhpPassesPhpL() throws Exception {
        Path php = Prereq.requireCommand("php");
        Run r = run(List.of(php.toString(), "-l", ROOT.resolve("images/app/test.php").toString()));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("No syntax errors"), r.output());
    }

    /** The images and the lab must not drift: the lab bind-mounts these files, the Dockerfiles copy them. */
    @Test
    void theImagesCopyTheFilesTheLabShares() throws IOException {
        String web = Files.readString(ROOT.resolve("images/web/Dockerfile"));
        assertTrue(web.contains("COPY default.conf /etc/nginx/conf.d/default.conf"), web);
        String app = Files.readString(ROOT.resolve("images/app/Dockerfile"));
        assertTrue(app.contains("COPY test.php /var/www/html/test.php"), app);
        assertTrue(app.contains("COPY zz-taskscope.conf /usr/local/etc/php-fpm.d/zz-taskscope.conf"), app);
        String lab = Files.readString(ROOT.resolve("images/lab/lab.sh"));
        for (String shared : List.of("$IMAGES/web/default.conf", "$IMAGES/app/test.php", "$IMAGES/app/zz-taskscope.conf")) {
            assertTrue(lab.contains("bind_ro \"" + shared + "\""), "lab.sh bind-mounts " + shared);
        }
    }
}
