package io.taskscope.rules;

import static io.taskscope.rules.Events.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.TaskscopeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderTest {
    private static String error(String yaml) {
        var e = assertThrows(TaskscopeException.class, () -> new RuleLoader(s -> !s.equals("opne")).addText("r.yaml", yaml));
        return e.oneLine();
    }

    @Test
    void brokenRulesNameFileLineAndReason() {
        assertEquals("r.yaml:4: rule 'x', when: unknown field 'sycall'; use one of event, kind, syscall, path, flags, "
                        + "container, comm, exe, uid, ret, errno, failed",
                error("rules:\n  - name: x\n    when:\n      sycall: open\n    priority: low\n    message: m\n"));
        assertEquals("r.yaml:3: rule 'x', when, syscall: unknown syscall 'opne'; fix the value",
                error("rules:\n  - name: x\n    when: {syscall: [openat, opne]}\n    priority: low\n    message: m\n"));
        assertTrue(error("rules:\n  - name: x\n    when: {event: syscall}\n    priority: urgent\n    message: m\n")
                .startsWith("r.yaml:4: rule 'x': unknown priority 'urgent'"));
        assertTrue(error("rules:\n  - name: x\n    when: {event: syscall}\n    priority: low\n    message: \"{contianer}\"\n")
                .startsWith("r.yaml:5: rule 'x': unknown placeholder {contianer} in message"));
        assertTrue(error("rules:\n  - name: x\n    when: {errno: ENOPE}\n    priority: low\n    message: m\n")
                .startsWith("r.yaml:3: rule 'x', when, errno: unknown errno 'ENOPE'"));
        assertTrue(error("rules:\n  - name: x\n    when: {}\n    priority: low\n    message: m\n")
                .contains("empty condition would match every event"));
        assertTrue(error("rules:\n  - name: x\n    priority: low\n    message: m\n").startsWith("r.yaml:2: rule 'x' has no 'when'"));
        assertTrue(error("rules:\n  - name: x\n   when: [\n").startsWith("r.yaml:3: not valid YAML"));
        assertTrue(error("rulez: []\n").startsWith("r.yaml:1: unknown key 'rulez' in a rule file"));
        assertTrue(error("disable: [nope]\n").startsWith("r.yaml:1: disable: no rule named 'nope'"));
    }

    @Test
    void laterFilesOverrideAndDisableDefaults(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mine.yaml");
        Files.writeString(f, """
                disable: [ptrace-by-neighbour]
                rules:
                  - name: shadow-file-read
                    priority: low
                    when: {syscall: openat, path: /etc/shadow}
                    message: "{comm} read shadow"
                  - name: php-missing-file
                    priority: low
                    when: {container: app, comm: "php-fpm*", syscall: [stat, lstat, newfstatat], errno: ENOENT}
                    message: "{comm} looked for {path}"
                """);
        RuleSet rules = new RuleLoader().addDefaults().addFile(f).build();
        assertTrue(rules.rules().stream().noneMatch(r -> r.name().equals("ptrace-by-neighbour")));
        var shadow = rules.evaluate(syscall("web", "cat", "openat", "/etc/shadow", "O_RDONLY", 3, null));
        assertEquals("low", shadow.get(0).priority());
        var missing = rules.evaluate(syscall("app", "php-fpm8.2", "lstat", "/var/www/html/hoge.php", null, -1, "ENOENT"));
        assertEquals(List.of("php-fpm8.2 looked for /var/www/html/hoge.php"), missing.stream().map(a -> a.message()).toList());
        assertEquals(List.of(), rules.evaluate(syscall("web", "php-fpm8.2", "lstat", "/x", null, -1, "ENOENT")));
    }

    @Test
    void jsonRuleFilesWork(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.json");
        Files.writeString(f, "{\"rules\": [{\"name\": \"u\", \"priority\": \"medium\", \"message\": \"uid {uid}\",\n"
                + " \"when\": {\"uid\": 0, \"failed\": true}}]}");
        RuleSet rules = new RuleLoader().addFile(f).build();
        assertEquals(1, rules.evaluate(new io.taskscope.event.SyscallEvent(0, 1, 1, "a", "c", 0, "openat", List.of(),
                "/x", null, -1, "EACCES", 1)).size());
        Files.writeString(f, "{\"rules\": [{\"name\": \"u\",\n \"priority\": }]}");
        var e = assertThrows(TaskscopeException.class, () -> new RuleLoader().addFile(f));
        assertTrue(e.oneLine().startsWith(f + ":2: not valid JSON"), e.oneLine());
    }

    @Test
    void globs() {
        assertTrue(Glob.of("/var/www/html/**").matches("/var/www/html/a/b.php"));
        assertTrue(Glob.of("/var/www/**/x.php").matches("/var/www/x.php"));
        assertTrue(Glob.of("*.php").matches("a.php"));
        assertTrue(!Glob.of("/tmp/*").matches("/tmp/a/b"));
        assertTrue(Glob.of("php-fpm[0-9]*").matches("php-fpm8.2"));
        assertTrue(Glob.of("a.b").matches("a.b") && !Glob.of("a.b").matches("axb"));
        assertTrue(Glob.of("/etc/shadow").matches("/etc/shadow"));
    }
}
