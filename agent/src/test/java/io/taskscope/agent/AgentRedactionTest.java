package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.rules.RuleLoader;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent never reveals a secret: exec events and execve calls of a real neighbour carry <redacted>. */
class AgentRedactionTest {
    @AfterEach
    void kill() {
        CPrograms.killAll();
    }

    @Test
    void execArgvIsRedactedInEveryEvent(@TempDir Path dir) throws Exception {
        Prereq.requireRoot();
        // Its own mount namespace: a container of its own (the agent never traces its own container).
        String marker = "redaction-marker-" + System.nanoTime();
        ProcessHandle sh = CPrograms.startShell("exec unshare --mount --propagation private sh -c 'while :; do sh -c : x --password AgentPw8 "
                + "postgres://u:AgentUrlPw9@db/app -pAgentMy10; sleep 0.1; done' " + marker, dir.resolve("sh.out"));
        AgentIntegrationTest.Lines out = new AgentIntegrationTest.Lines();
        try (Agent agent = Agent.start(AgentIntegrationTest.config(dir, marker, Map.of("TASKSCOPE_FILTER", "trace=execve", "TASKSCOPE_FOLLOW", "true")),
                new RuleLoader().addDefaults().build(), out)) {
            JsonNode exec = out.await(n -> n.path("type").asText().equals("process") && n.path("kind").asText().equals("exec")
                    && n.path("argv").toString().contains("--password"), 15);
            assertTrue(exec.path("argv").toString().contains("\"--password\",\"<redacted>\""), exec.toString());
            assertTrue(exec.path("argv").toString().contains("postgres://u:<redacted>@db/app"), exec.toString());
            JsonNode call = out.await(n -> n.path("type").asText().equals("syscall") && n.path("syscall").asText().equals("execve")
                    && n.path("args").toString().contains("--password"), 10);
            assertTrue(call.path("args").toString().contains("<redacted>"), call.toString());
        }
        assertTrue(sh.isAlive());
        for (String line : out.all) {
            assertFalse(line.contains("AgentPw8") || line.contains("AgentUrlPw9"), line);
        }
    }
}
