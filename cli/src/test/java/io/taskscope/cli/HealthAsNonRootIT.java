package io.taskscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.Prereq;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 8: {@code taskscope health} run by a user who may not use the agent's socket (mode 600, root's)
 * says permission denied, not "no agent is listening". Runs the shaded jar as nobody (setpriv), after package.
 */
class HealthAsNonRootIT {
    static final Path JAR = Prereq.projectRoot().resolve("cli/target/taskscope.jar");

    @Test
    void permissionDeniedIsSaid() throws Exception {
        Prereq.requireRoot();
        Prereq.requireCommand("setpriv");
        Prereq.require(Files.isReadable(JAR), "the shaded jar " + JAR + " (mvn package builds it before this test)");
        Path dir = Files.createTempDirectory("taskscope-health");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sock = dir.resolve("agent.sock");
        Path jar = Files.copy(JAR, dir.resolve("taskscope.jar")); // readable by nobody wherever the checkout is
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            agent.bind(UnixDomainSocketAddress.of(sock));
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-------"));
            Process p = new ProcessBuilder(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                    "health", "--socket", sock.toString())).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out);
            assertEquals(1, out.strip().lines().count(), out);
            assertTrue(out.startsWith("taskscope: permission denied on " + sock), out);
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(jar);
            Files.deleteIfExists(dir);
        }
    }
}
