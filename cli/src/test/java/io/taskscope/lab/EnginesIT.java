package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.Prereq;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * taskscope on real container engines: scripts/engines-test.sh with Debian's Docker, docker-compose and podman,
 * offline (docker run --pid=container:pause as in seed 004, images/compose.yaml, --pid=host, a podman pod,
 * podman kube play of images/kubernetes/pod.yaml). Under CI=true a missing engine fails this test; the script
 * itself fails when an engine cannot be set up. Its log: cli/target/engines-test.log.
 */
class EnginesIT {
    static final Path ROOT = Prereq.projectRoot();
    static final Path JAR = ROOT.resolve("cli/target/taskscope.jar");

    @Test
    void taskscopeWorksOnDockerComposeAndPodman() throws Exception {
        Prereq.requireRoot();
        for (String c : List.of("dockerd", "docker", "docker-compose", "podman", "debootstrap", "gcc", "nsenter", "curl", "jq")) {
            Prereq.requireCommand(c);
        }
        Prereq.require(Files.isReadable(JAR), "the shaded jar " + JAR + " (mvn package builds it before this test)");
        Path log = ROOT.resolve("cli/target/engines-test.log");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("scripts/engines-test.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TASKSCOPE_JAR", JAR.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        // ~4 minutes with the cached base; the first run adds debootstrap (~1-2 minutes).
        if (!p.waitFor(25, TimeUnit.MINUTES)) {
            p.destroy(); // SIGTERM: the script's trap removes containers and stops its daemons
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
            throw new AssertionError("scripts/engines-test.sh did not finish in 25 minutes:\n" + tail(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "scripts/engines-test.sh failed:\n" + tail(log));
        for (String c : List.of("docker", "compose", "pidhost", "pod", "kube")) {
            assertTrue(out.contains("]: " + c + ": ps, fs ls, env, doctor, trace: ok"), "case " + c + " did not pass:\n" + tail(log));
        }
        assertTrue(out.contains("]: compose: agent events, alerts and metrics name the container app: ok"),
                "the agent's events do not name the compose service as ps does:\n" + tail(log));
        assertTrue(out.contains("all cases passed"), tail(log));
    }

    private static String tail(Path log) throws java.io.IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }
}
