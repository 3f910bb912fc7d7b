package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.testing.CPrograms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Falco rules in the lab (issue 10): a rule file in Falco syntax written for this test, over exec, open, connect,
 * ptrace and a memfd exec; each triggered for real in the app container by agent/src/test/c/falcotrigger.c; each
 * alert's JSON checked field by field against Falco's alert shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FalcoRulesLabIT {
    static final String RULES = """
            - required_engine_version: 0.31.0
            - macro: in_app
              condition: container.name = app
            - list: trigger_names
              items: [falcotrigger]
            - rule: Test exec through a renamed shell
              desc: a shell run through a link named notashell
              condition: evt.type = execve and in_app and proc.name = notashell and proc.exepath in (/bin/dash, /usr/bin/dash)
              output: "renamed shell %proc.name exe=%proc.exepath parent=%proc.pname cmdline=%proc.cmdline"
              priority: WARNING
              tags: [t_exec, shell]
            - rule: Test shadow open
              desc: /etc/shadow opened by the trigger
              condition: evt.type in (open, openat) and fd.name = /etc/shadow and proc.name in (trigger_names) and in_app
              output: "shadow opened by %proc.name pid=%proc.pid fd=%fd.num flags=%evt.arg.flags"
              priority: ERROR
              tags: [t_open]
            - rule: Test connect
              desc: a connection to the discard port
              condition: evt.type = connect and fd.dip = 127.0.0.1 and fd.dport = 9 and in_app
              output: "connect to %fd.dip:%fd.dport res=%evt.res by %proc.name"
              priority: NOTICE
              tags: [t_connect]
            - rule: Test ptrace
              desc: ptrace attach
              condition: evt.type = ptrace and evt.arg.request = PTRACE_ATTACH and in_app
              output: "ptrace %evt.arg.request by %proc.name"
              priority: CRITICAL
              tags: [t_ptrace]
            - rule: Test memfd exec
              desc: a program run from memory
              condition: evt.type = execve and proc.is_exe_from_memfd = true and in_app
              output: "memfd exec %proc.exepath parent=%proc.pname"
              priority: ALERT
              tags: [t_memfd]
            - rule: Test k8s only
              desc: skipped, taskscope has no Kubernetes metadata
              condition: evt.type = execve and k8s.ns.name = default
              output: x
              priority: DEBUG
            """;

    final Lab lab = new Lab("itf");

    @BeforeAll
    void up() throws Exception {
        Lab.requirePrereqs();
        Path trigger = CPrograms.binary("falcotrigger");
        lab.up();
        lab.write("app", "/root/falcotrigger", trigger);
        assertEquals(0, lab.exec("app", "chmod", "755", "/root/falcotrigger").code());
        Path rules = Files.createTempFile("falco-it", ".yaml");
        Files.writeString(rules, RULES);
        lab.write("monitor", "/tmp/falco-it-rules.yaml", rules);
        Files.delete(rules);
    }

    @AfterAll
    void down() throws Exception {
        lab.down();
    }

    @Test
    void falcoRulesRaiseFalcoAlertsForWhatReallyHappened() throws Exception {
        // --check: what runs, what is skipped and why, what forces syscall mode
        Lab.Result check = lab.monitor("env", "TASKSCOPE_RULES=/tmp/falco-it-rules.yaml", "TASKSCOPE_DEFAULT_RULES=false",
                "taskscope", "agent", "--check");
        assertEquals(0, check.code(), check.out());
        assertTrue(check.out().contains("rules that run: 5"), check.out());
        assertTrue(check.out().contains("Test k8s only (/tmp/falco-it-rules.yaml:36): field k8s.ns.name"), check.out());
        assertTrue(check.out().contains("Test connect: needs syscall events connect on containers app"), check.out());
        assertTrue(check.out().contains("Test memfd exec: process lifecycle events only"), check.out());

        try (LabAgent agent = LabAgent.start(lab, "falco", "TASKSCOPE_CONTAINERS=app", "TASKSCOPE_MODE=syscall",
                "TASKSCOPE_BUDGET=none", "TASKSCOPE_RULES=/tmp/falco-it-rules.yaml", "TASKSCOPE_DEFAULT_RULES=false",
                "TASKSCOPE_FILTER=trace=%file,%process,%network,ptrace")) {
            assertTrue(agent.stderr().contains("not loaded: it uses k8s.ns.name"), agent.stderr());
            // the trigger waits 3 s for the agent's scan to attach it (runc exec starts it outside any traced tree)
            Lab.Result r = lab.exec("app", "/root/falcotrigger", "3");
            assertEquals(0, r.code(), r.out());
            List<JsonNode> ev = agent.awaitEvent("the memfd alert", 30, e -> rule(e, "Test memfd exec"));
            for (String name : List.of("Test exec through a renamed shell", "Test shadow open", "Test connect", "Test ptrace")) {
                ev = agent.awaitEvent("alert " + name, 10, e -> rule(e, name));
            }

            JsonNode exec = alert(ev, "Test exec through a renamed shell");
            common(exec, "Warning", List.of("shell", "t_exec"));
            assertEquals("renamed shell notashell exe=/usr/bin/dash parent=falcotrigger cmdline=notashell -c exit 0",
                    exec.path("output").asText().replace("exe=/bin/dash", "exe=/usr/bin/dash"), exec.toString());
            assertEquals("notashell", exec.at("/output_fields/proc.name").asText());
            assertEquals("falcotrigger", exec.at("/output_fields/proc.pname").asText());
            assertEquals("process", exec.at("/trigger/type").asText());

            JsonNode open = alert(ev, "Test shadow open");
            common(open, "Error", List.of("t_open"));
            // the lab's app image may have no /etc/shadow: the attempt is what the rule is about (fd -2: ENOENT)
            assertTrue(open.path("output").asText().matches("shadow opened by falcotrigger pid=\\d+ fd=-?\\d+ flags=O_RDONLY.*"),
                    open.toString());
            assertTrue(open.at("/output_fields/proc.pid").isIntegralNumber(), open.toString());
            assertTrue(open.at("/output_fields/fd.num").isIntegralNumber(), open.toString());
            assertEquals("O_RDONLY", open.at("/output_fields/evt.arg.flags").asText(), open.toString());
            assertEquals("syscall", open.at("/trigger/type").asText());

            JsonNode connect = alert(ev, "Test connect");
            common(connect, "Notice", List.of("t_connect"));
            assertEquals("connect to 127.0.0.1:9 res=ECONNREFUSED by falcotrigger", connect.path("output").asText());
            assertEquals(9, connect.at("/output_fields/fd.dport").asInt());
            assertEquals("127.0.0.1", connect.at("/output_fields/fd.dip").asText());

            JsonNode ptrace = alert(ev, "Test ptrace");
            common(ptrace, "Critical", List.of("t_ptrace"));
            assertEquals("ptrace PTRACE_ATTACH by falcotrigger", ptrace.path("output").asText());

            JsonNode memfd = alert(ev, "Test memfd exec");
            common(memfd, "Alert", List.of("t_memfd"));
            assertTrue(memfd.path("output").asText().startsWith("memfd exec /memfd:payload"), memfd.toString());
            assertEquals(true, memfd.at("/trigger/exe").asText().startsWith("/memfd:payload"), memfd.toString());
        }
    }

    private static boolean rule(JsonNode e, String name) {
        return e.path("type").asText().equals("alert") && e.path("rule").asText().equals(name);
    }

    private static JsonNode alert(List<JsonNode> ev, String name) {
        return ev.stream().filter(e -> rule(e, name)).findFirst().orElseThrow();
    }

    /** The members every Falco alert has, and taskscope's beside them. */
    private static void common(JsonNode a, String priority, List<String> tags) {
        assertEquals(1, a.path("v").asInt(), a.toString());
        assertEquals("alert", a.path("type").asText());
        assertEquals(priority, a.path("priority").asText(), a.toString());
        assertTrue(a.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z"), a.toString());
        assertEquals(tags, Lab.JSON.convertValue(a.path("tags"), List.class), a.toString());
        assertTrue(a.path("hostname").asText().length() > 0, a.toString());
        assertEquals("syscall", a.path("source").asText());
        assertEquals("app", a.path("container").asText());
        assertTrue(a.path("output_fields").isObject() && a.path("output_fields").size() > 0, a.toString());
        assertTrue(a.path("output").asText().length() > 0);
    }
}
