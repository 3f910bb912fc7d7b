package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.TaskscopeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    private static AgentConfig env(Map<String, String> env) {
        return AgentConfig.load(env, Optional.empty(), new ArrayList<>());
    }

    private static String envError(String key, String value) {
        return assertThrows(TaskscopeException.class, () -> env(Map.of(key, value))).oneLine();
    }

    @Test
    void defaultsTraceNeighboursAndWriteMetricsEveryMinute() {
        AgentConfig c = env(Map.of());
        assertTrue(c.select().isEmpty());
        assertTrue(c.selects("app", "php-fpm: pool www", "/usr/local/sbin/php-fpm"));
        assertEquals(Duration.ofSeconds(60), c.metricsInterval());
        assertEquals(Path.of("/run/taskscope/agent.sock"), c.socket());
        assertTrue(c.defaultRules());
    }

    @Test
    void environmentSelectsAndConfigures() {
        AgentConfig c = env(Map.of("TASKSCOPE_CONTAINERS", "app, web*", "TASKSCOPE_COMMAND", "^php-fpm",
                "TASKSCOPE_FILTER", "trace=%file status=failed", "TASKSCOPE_WATCH", "app:/var/www/html",
                "TASKSCOPE_METRICS_INTERVAL", "10s", "TASKSCOPE_SOCKET", "/tmp/a.sock", "TASKSCOPE_DEFAULT_RULES", "false"));
        assertTrue(c.selects("app", "php-fpm: pool www", "/usr/sbin/php-fpm8.2"));
        assertTrue(c.selects("web-1", "php-fpm: master", null));
        assertFalse(c.selects("app", "nginx: worker", "/usr/sbin/nginx"));
        assertFalse(c.selects("db", "php-fpm: pool www", null));
        assertEquals(List.of("trace=%file", "status=failed"), c.filter());
        assertEquals(List.of(new AgentConfig.Watch("app", "/var/www/html", true)), c.watch());
        assertEquals(Duration.ofSeconds(10), c.metricsInterval());
        assertFalse(c.defaultRules());
        assertEquals(Duration.ZERO, env(Map.of("TASKSCOPE_METRICS_INTERVAL", "off")).metricsInterval());
    }

    @Test
    void badValuesNameTheVariableAndTheFix() {
        assertEquals("TASKSCOPE_METRICS_INTERVAL: 'soon' is not a duration; write e.g. 60s, 500ms or 1m",
                envError("TASKSCOPE_METRICS_INTERVAL", "soon"));
        assertTrue(envError("TASKSCOPE_COMMAND", "php-fpm(").startsWith(
                "TASKSCOPE_COMMAND: 'php-fpm(' is not a valid regular expression"));
        assertEquals("TASKSCOPE_WATCH: 'var/www' is not CONTAINER:/path; write e.g. app:/var/www/html",
                envError("TASKSCOPE_WATCH", "var/www"));
        assertTrue(envError("TASKSCOPE_QUEUE", "lots").startsWith("TASKSCOPE_QUEUE: 'lots' is not a number"));
        assertTrue(envError("TASKSCOPE_SCAN_INTERVAL", "5s").contains("outside 50ms..1s"));
        assertTrue(envError("TASKSCOPE_SOCKET", "agent.sock").contains("not an absolute path"));
        assertTrue(envError("TASKSCOPE_METRICS_NAMESPACE", "AWS/ECS").contains("not a usable CloudWatch namespace"));
        assertTrue(envError("TASKSCOPE_FOLLOW", "maybe").contains("not true or false"));
        assertTrue(envError("TASKSCOPE_CONFIG", "/nonexistent/agent.yaml").startsWith("cannot read /nonexistent/agent.yaml"));
    }

    @Test
    void unknownVariablesWarnInsteadOfFailing() {
        List<String> warnings = new ArrayList<>();
        AgentConfig.load(Map.of("TASKSCOPE_CONTAINER", "app"), Optional.empty(), warnings);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("ignoring unknown variable TASKSCOPE_CONTAINER"));
    }

    @Test
    void fileIsOverlaidByEnvironment(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, """
                trace:
                  select:
                    - container: app
                      command: php-fpm
                    - exe: /usr/sbin/nginx
                  filter: trace=%file
                watch:
                  - {container: app, path: /var/www/html}
                rules:
                  defaults: false
                  files: [/etc/taskscope/rules.yaml]
                metrics: {interval: 30s, namespace: shop/taskscope}
                queue: 1024
                """);
        AgentConfig c = AgentConfig.load(Map.of("TASKSCOPE_CONFIG", f.toString()), Optional.empty(), new ArrayList<>());
        assertEquals(2, c.select().size());
        assertTrue(c.selects("web", "nginx: master process", "/usr/sbin/nginx"));
        assertFalse(c.selects("web", "sh", "/bin/sh"));
        assertEquals(List.of("trace=%file"), c.filter());
        assertEquals(Duration.ofSeconds(30), c.metricsInterval());
        assertEquals("shop/taskscope", c.metricsNamespace());
        assertEquals(1024, c.queueCapacity());
        assertEquals(List.of(Path.of("/etc/taskscope/rules.yaml")), c.ruleFiles());
        AgentConfig o = AgentConfig.load(Map.of("TASKSCOPE_CONTAINERS", "web", "TASKSCOPE_QUEUE", "64"), Optional.of(f), new ArrayList<>());
        assertEquals(1, o.select().size());
        assertEquals(64, o.queueCapacity());
    }

    @Test
    void badFileNamesLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, "trace:\n  filter: trace=%file\nmetrics:\n  intervall: 30s\n");
        var e = assertThrows(TaskscopeException.class, () -> AgentConfig.load(Map.of(), Optional.of(f), new ArrayList<>()));
        assertEquals(f + ":4: unknown key 'intervall' in metrics; use one of interval, namespace", e.oneLine());
        Files.writeString(f, "trace:\n  select:\n    - command: \"[\"\n");
        e = assertThrows(TaskscopeException.class, () -> AgentConfig.load(Map.of(), Optional.of(f), new ArrayList<>()));
        assertTrue(e.oneLine().startsWith(f + ":3: trace.select command: '[' is not a valid regular expression"), e.oneLine());
        Files.writeString(f, "{\"queue\": \"x\"}");
        Path j = dir.resolve("agent.json");
        Files.move(f, j);
        e = assertThrows(TaskscopeException.class, () -> AgentConfig.load(Map.of(), Optional.of(j), new ArrayList<>()));
        assertEquals(j + ":1: queue must be a whole number, not 'x'; write a number", e.oneLine());
    }
}
