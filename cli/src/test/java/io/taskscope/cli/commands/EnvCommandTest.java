package io.taskscope.cli.commands;

import static io.taskscope.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.cli.CliRun.Result;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EnvCommandTest {
    @Test
    void redactsByDefaultAndRevealsOnRequest() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sleep", "60");
        pb.environment().put("APP_TOKEN", "tok-123");
        pb.environment().put("APP_MODE", "blue");
        Process p = pb.start();
        try {
            Thread.sleep(100);
            Result r = run("env", Long.toString(p.pid()));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("# pid " + p.pid() + " (sleep): source procfs"), r.out());
            assertTrue(r.out().contains("\nAPP_TOKEN=<redacted>\n") && r.out().contains("\nAPP_MODE=blue\n"), r.out());
            Result shown = run("env", "--show-secrets", "--json", Long.toString(p.pid()));
            var json = new ObjectMapper().readTree(shown.out());
            assertEquals("procfs", json.get("source").asText());
            boolean found = false;
            for (var v : json.get("variables")) found |= v.get("name").asText().equals("APP_TOKEN") && v.get("value").asText().equals("tok-123");
            assertTrue(found, shown.out());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void badTargetsAreOneLineErrors() {
        Result notPid = run("env", "web");
        assertEquals(2, notPid.code());
        assertTrue(notPid.err().contains("no container named 'web'"), notPid.err());
        Result gone = run("env", "999999999");
        assertEquals(2, gone.code());
        assertEquals(1, gone.err().strip().lines().count(), gone.err());
    }
}
