package io.taskscope.taskdef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.taskdef.Finding.Severity;
import io.taskscope.testing.Prereq;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TaskDefinitionLinterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The task definition the project ships (the demo task). */
    static ObjectNode shipped() throws IOException {
        return (ObjectNode) JSON.readTree(Files.readAllBytes(Prereq.projectRoot().resolve("task-definition.json")));
    }

    static LintReport lint(JsonNode td) {
        return new TaskDefinitionLinter(Optional.empty()).lint("td.json", td);
    }

    /** The shipped file, changed by {@code edit}. */
    static LintReport lintShipped(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode td = shipped();
        edit.accept(td);
        return lint(td);
    }

    static ObjectNode container(ObjectNode td, String name) {
        for (JsonNode c : td.withArray("containerDefinitions")) {
            if (c.path("name").asText().equals(name)) return (ObjectNode) c;
        }
        throw new AssertionError("no container " + name);
    }

    static Finding only(LintReport r, String rule) {
        List<Finding> f = r.findings().stream().filter(x -> x.rule().equals(rule)).toList();
        assertEquals(1, f.size(), () -> "one '" + rule + "' finding expected in " + r.findings());
        return f.get(0);
    }

    @Test
    void theShippedTaskDefinitionIsClean() throws IOException {
        LintReport r = lint(shipped());
        assertEquals(List.of(), r.findings());
        assertEquals(Optional.of("monitor"), r.monitor());
    }

    @Test
    void describeTaskDefinitionOutputIsUnwrapped() throws IOException {
        ObjectNode wrapped = JSON.createObjectNode();
        wrapped.set("taskDefinition", shipped());
        assertEquals(List.of(), lint(wrapped).findings());
        ObjectNode broken = JSON.createObjectNode();
        broken.set("taskDefinition", shipped().without("pidMode"));
        assertEquals("$.taskDefinition.pidMode", only(lint(broken), "pid-mode").path());
    }

    @Test
    void missingPidModeIsAnErrorWithItsPathAndFix() throws IOException {
        Finding f = only(lintShipped(td -> td.remove("pidMode")), "pid-mode");
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("$.pidMode", f.path());
        assertEquals("set \"pidMode\": \"task\"", f.fix());
        assertTrue(only(lintShipped(td -> td.put("pidMode", "host")), "pid-mode").message().contains("Fargate"));
    }

    @Test
    void valuesEcsOrFargateRejectAreErrors() throws IOException {
        Finding driver = only(lintShipped(td -> ((ObjectNode) container(td, "app").get("logConfiguration"))
                .put("logDriver", "json-file")), "log-driver");
        assertEquals(Severity.ERROR, driver.severity());
        assertEquals("$.containerDefinitions[0].logConfiguration.logDriver", driver.path());
        assertTrue(driver.message().contains("Fargate does not support"), driver.message());

        Finding buffer = only(lintShipped(td -> ((ObjectNode) container(td, "monitor").at("/logConfiguration/options"))
                .put("max-buffer-size", "lots")), "awslogs-mode");
        assertEquals(Severity.ERROR, buffer.severity());
        assertEquals("$.containerDefinitions[2].logConfiguration.options.max-buffer-size", buffer.path());

        Finding essential = only(lintShipped(td -> container(td, "monitor").put("essential", "false")), "essential");
        assertEquals(Severity.ERROR, essential.severity());
        assertTrue(essential.message().contains("not a boolean"), essential.message());
    }

    @Test
    void aMonitorWaitingForItsNeighboursToExitNeverStarts() throws IOException {
        Finding f = only(lintShipped(td -> ((ObjectNode) container(td, "monitor").get("dependsOn").get(0))
                .put("condition", "COMPLETE")), "depends-healthy");
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("$.containerDefinitions[2].dependsOn[0].condition", f.path());
        assertEquals("use \"condition\": \"HEALTHY\"", f.fix());
    }

    @Test
    void aCapabilityFargateRefusesIsAnError() throws IOException {
        LintReport r = lintShipped(td -> container(td, "web").putObject("linuxParameters").putObject("capabilities")
                .putArray("add").add("NET_ADMIN"));
        Finding f = only(r, "capabilities");
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("$.containerDefinitions[1].linuxParameters.capabilities.add[0]", f.path());
        assertEquals(Optional.of("web"), f.container());
        assertEquals("remove \"NET_ADMIN\"", f.fix());
    }

    @Test
    void capPrefixedPtraceIsNamedAsEcsWantsIt() throws IOException {
        LintReport r = lintShipped(td -> ((ArrayNode) container(td, "monitor").at("/linuxParameters/capabilities/add"))
                .removeAll().add("CAP_SYS_PTRACE"));
        assertEquals("write \"SYS_PTRACE\"", only(r, "capabilities").fix());
    }

    @Test
    void monitorStartingFirstIsAnError() throws IOException {
        LintReport r = lintShipped(td -> {
            container(td, "monitor").remove("dependsOn");
            container(td, "app").putArray("dependsOn").addObject().put("containerName", "monitor").put("condition", "START");
        });
        List<Finding> order = r.findings().stream().filter(f -> f.rule().equals("monitor-last")).toList();
        assertEquals(2, order.size(), order::toString);
        assertEquals("$.containerDefinitions[0].dependsOn", order.get(0).path());
        assertTrue(order.get(0).message().contains("starts after taskscope's"), order.get(0).message());
        assertEquals("$.containerDefinitions[2].dependsOn", order.get(1).path());
        assertTrue(order.get(1).fix().contains("{\"containerName\": \"web\", \"condition\": \"HEALTHY\"}"));
        assertEquals(2, r.errors());
    }

    @Test
    void aTransitiveDependencyCountsAsStartingBefore() throws IOException {
        LintReport r = lintShipped(td -> {
            ArrayNode deps = container(td, "monitor").putArray("dependsOn");
            deps.addObject().put("containerName", "web").put("condition", "HEALTHY");
            container(td, "web").putArray("dependsOn").addObject().put("containerName", "app").put("condition", "HEALTHY");
        });
        assertEquals(List.of(), r.findings());
    }

    @Test
    void startInsteadOfHealthyWarnsAndHealthyWithoutHealthCheckFails() throws IOException {
        LintReport r = lintShipped(td -> container(td, "monitor").withArray("dependsOn").get(0));
        assertEquals(0, r.findings().size());
        r = lintShipped(td -> ((ObjectNode) container(td, "monitor").withArray("dependsOn").get(1)).put("condition", "START"));
        Finding f = only(r, "depends-healthy");
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("$.containerDefinitions[2].dependsOn[1].condition", f.path());
        assertEquals(0, r.errors());
        f = only(lintShipped(td -> container(td, "app").remove("healthCheck")), "health-check");
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("$.containerDefinitions[0].healthCheck", f.path());
    }

    @Test
    void monitorWithoutPtraceIsFoundByItsImageAndFlagged() throws IOException {
        LintReport r = lintShipped(td -> ((ObjectNode) container(td, "monitor").get("linuxParameters")).remove("capabilities"));
        assertEquals(Optional.of("monitor"), r.monitor());
        assertEquals("$.containerDefinitions[2].linuxParameters.capabilities.add", only(r, "sys-ptrace").path());
    }

    @Test
    void noMonitorAtAllIsAnError() throws IOException {
        LintReport r = lintShipped(td -> {
            ObjectNode m = container(td, "monitor");
            m.remove("linuxParameters");
            m.put("name", "sidecar").put("image", "example/sidecar");
        });
        assertEquals(Optional.empty(), r.monitor());
        assertEquals("$.containerDefinitions", only(r, "sys-ptrace").path());
    }

    @Test
    void ptraceOnAnotherContainerIsAWarning() throws IOException {
        LintReport r = lintShipped(td -> container(td, "app").putObject("linuxParameters").putObject("capabilities")
                .putArray("add").add("SYS_PTRACE"));
        assertEquals(Optional.of("monitor"), r.monitor(), "the taskscope image decides between two");
        Finding f = only(r, "sys-ptrace");
        assertEquals(Severity.WARNING, f.severity());
        assertEquals(Optional.of("app"), f.container());
    }

    @Test
    void monitorNamedOnTheCommandLine() throws IOException {
        LintReport r = new TaskDefinitionLinter(Optional.of("web")).lint("td.json", shipped());
        assertEquals(Optional.of("web"), r.monitor());
        assertTrue(r.findings().stream().anyMatch(f -> f.rule().equals("sys-ptrace") && f.severity() == Severity.ERROR));
        r = new TaskDefinitionLinter(Optional.of("nope")).lint("td.json", shipped());
        assertTrue(only(r, "monitor").fix().contains("\"app\", \"web\", \"monitor\""));
    }

    @Test
    void monitorEssentialReadOnlyAndWithoutInitAreFlagged() throws IOException {
        LintReport r = lintShipped(td -> {
            ObjectNode m = container(td, "monitor");
            m.remove("essential");
            m.put("readonlyRootFilesystem", true);
            ((ObjectNode) m.get("linuxParameters")).remove("initProcessEnabled");
            m.put("user", "1000");
        });
        assertEquals(Severity.WARNING, only(r, "essential").severity());
        assertTrue(only(r, "essential").message().contains("(the default)"));
        assertEquals(Severity.ERROR, only(r, "writable-root").severity());
        assertEquals(Severity.WARNING, only(r, "init-process").severity());
        assertEquals(Severity.WARNING, only(r, "user").severity());
    }

    @Test
    void awslogsOptionsMustBeComplete() throws IOException {
        LintReport r = lintShipped(td -> {
            ((ObjectNode) container(td, "web").at("/logConfiguration/options")).remove("awslogs-stream-prefix");
            ((ObjectNode) container(td, "app").at("/logConfiguration/options")).remove("max-buffer-size");
            container(td, "monitor").remove("logConfiguration");
        });
        List<Finding> logs = r.findings().stream().filter(f -> f.rule().startsWith("awslogs")).toList();
        assertEquals(3, logs.size(), logs::toString);
        assertEquals("$.containerDefinitions[0].logConfiguration.options", logs.get(0).path());
        assertEquals(Severity.WARNING, logs.get(0).severity());
        assertEquals(Severity.ERROR, logs.get(1).severity());
        assertTrue(logs.get(1).message().contains("awslogs-stream-prefix"));
        assertEquals("$.containerDefinitions[2].logConfiguration", logs.get(2).path());
        assertEquals(Severity.ERROR, logs.get(2).severity());
    }

    @Test
    void networkModeAndFargateSize() throws IOException {
        assertEquals(Severity.ERROR, only(lintShipped(td -> td.put("networkMode", "bridge")), "network-mode").severity());
        Finding f = only(lintShipped(td -> td.put("cpu", "512").put("memory", "512")), "cpu-memory");
        assertEquals("$.memory", f.path());
        assertTrue(f.fix().contains("1024, 2048, 3072, 4096") && f.fix().contains("set cpu to 256"), f.fix());
        assertEquals(List.of(), lintShipped(td -> td.put("cpu", "0.5 vCPU").put("memory", "2 GB")).findings());
        assertEquals("$.cpu", only(lintShipped(td -> td.put("cpu", "300")), "cpu-memory").path());
        assertEquals("$.cpu", only(lintShipped(td -> td.remove("cpu")), "cpu-memory").path());
    }

    @Test
    void notJsonIsOneFindingWithTheLine() {
        LintReport r = new TaskDefinitionLinter(Optional.empty()).lint("x.json",
                "{\n  \"family\": \"x\",\n  oops\n}".getBytes(StandardCharsets.UTF_8));
        Finding f = only(r, "json");
        assertTrue(f.message().contains("line 3"), f.message());
        assertEquals(1, r.errors());
    }

    @Test
    void brokenJsonIsOneErrorThatNeverStopsMidParenthesis() {
        TaskDefinitionLinter linter = new TaskDefinitionLinter(Optional.empty());
        for (String broken : List.of("{\"family\": \"x\"", "{\"family\": \"x\",\n \"containerDefinitions\": [ {\"name\": \"a\",, } ]}",
                "nope", "[1, 2", "{\"a\": \"\u0001\"}")) {
            LintReport r = linter.lint("td.json", broken.getBytes(StandardCharsets.UTF_8));
            assertEquals(1, r.findings().size(), broken);
            String message = r.findings().get(0).message();
            assertTrue(message.startsWith("not valid JSON at line "), message);
            long open = message.chars().filter(c -> c == '(').count();
            long close = message.chars().filter(c -> c == ')').count();
            assertEquals(open, close, "a parenthesis left open: " + message);
            assertTrue(!message.contains("[Source:") && !message.contains("\n"), message);
        }
        String eof = linter.lint("td.json", "{\"family\": \"x\"".getBytes(StandardCharsets.UTF_8)).findings().get(0).message();
        assertTrue(eof.contains("expected close marker for Object (opened at line 1, column 1)"), eof);
        String comma = linter.lint("td.json", "{\"a\": 1,, }".getBytes(StandardCharsets.UTF_8)).findings().get(0).message();
        assertTrue(comma.contains("Unexpected character ','"), comma);
    }
}
