package io.taskscope.cli.commands;

import static io.taskscope.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.cli.CliRun.Result;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
    @Test
    void onePageAndJson() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        try {
            Thread.sleep(100);
            Result r = run("inspect", Long.toString(p.pid()));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("process " + p.pid() + " (sleep)"), r.out());
            assertTrue(r.out().contains("  command          sleep 60\n"), r.out());
            assertTrue(r.out().contains("\nfds ("), r.out());
            var json = new ObjectMapper().readTree(run("inspect", "--json", Long.toString(p.pid())).out());
            assertEquals(p.pid(), json.get("pid").asLong());
            assertEquals("sleep", json.get("cmdline").get(0).asText());
            assertTrue(json.get("fds").size() >= 3);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void unknownTargetIsUsage() {
        Result r = run("inspect", "999999999");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
