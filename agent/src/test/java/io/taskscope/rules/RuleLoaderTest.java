package io.taskscope.rules;

import static io.taskscope.rules.Events.call;
import static io.taskscope.rules.Events.exec;
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

/** Falco-shaped rule files: macros, lists, overrides, exceptions, unsupported fields, errors with their place. */
class RuleLoaderTest {
    private static final String BASE = """
            - required_engine_version: 0.31.0
            - list: shell_binaries
              items: [bash, sh]
            - list: more_shells
              items: [shell_binaries, zsh]
            - macro: spawned_process
              condition: evt.type in (execve, execveat) and evt.dir=<
            - macro: user_known_shell
              condition: (never_true)
            - macro: never_true
              condition: (evt.num=0)
            - rule: Shell spawned
              desc: a shell
              condition: >
                spawned_process
                and proc.name in (more_shells)
                and not user_known_shell
              output: "shell %proc.name by %proc.pname (%user.uid)"
              priority: warning
              tags: [shell, mitre_execution]
              exceptions:
                - name: known_parents
                  fields: [proc.pname, container.name]
                  comps: [=, startswith]
                  values:
                    - [supervisord, ap]
            - rule: K8s thing
              desc: uses Kubernetes metadata
              condition: spawned_process and k8s.ns.name = default
              output: "%proc.name"
              priority: notice
            - rule: Audit thing
              desc: another source
              source: k8s_audit
              condition: ka.verb = create
              output: x
              priority: info
            """;

    private static String error(String yaml) {
        var e = assertThrows(TaskscopeException.class, () -> new RuleLoader().addText("r.yaml", yaml).build());
        return e.oneLine();
    }

    @Test
    void macrosListsExceptionsAndSkippedRules() {
        RuleSet rules = new RuleLoader().addText("base.yaml", BASE).build();
        assertEquals(List.of("Shell spawned"), rules.rules().stream().map(Rule::name).toList());
        assertEquals(List.of("K8s thing", "Audit thing"), rules.skipped().stream().map(RuleSet.Skipped::name).toList());
        assertTrue(rules.warnings().contains("base.yaml:27: rule 'K8s thing' not loaded: it uses k8s.ns.name (no Kubernetes metadata on this engine)"),
                rules.warnings().toString());
        assertEquals(1, rules.warnings().stream().filter(w -> w.contains("k8s.ns.name")).count());
        assertEquals(List.of("base.yaml:1: required_engine_version 0.31.0"), rules.required());
        Rule r = rules.rules().get(0);
        assertEquals(java.util.Set.of("execve", "execveat"), r.eventTypes());
        assertEquals("base.yaml:12", r.source());
        var h = new Events.Harness(rules, RuleEnv.NONE);
        assertEquals(List.of("Shell spawned"), h.fired(exec("app", "zsh", "/usr/bin/zsh", "zsh")));
        assertEquals(List.of(), h.fired(exec("app", "ls", "/usr/bin/ls", "ls")));
        // the exception: parent supervisord in a container whose name starts with "ap"
        h.fired(Events.process(io.taskscope.event.ProcessEvent.Kind.EXEC, 42, 1, "app", "supervisord", "/usr/bin/supervisord", "supervisord"));
        assertEquals(List.of(), h.fired(exec("app", "bash", "/usr/bin/bash", "bash")));
        assertEquals(List.of("Shell spawned"), h.fired(exec("web", "bash", "/usr/bin/bash", "bash")));
        assertEquals("shell bash by supervisord (82)", h.alerts(exec("web", "bash", "/usr/bin/bash", "bash")).get(0).output());
    }

    @Test
    void laterFilesOverrideAppendReplaceAndDisable(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.yaml");
        Files.writeString(base, BASE);
        Path mine = dir.resolve("mine.yaml");
        Files.writeString(mine, """
                - list: shell_binaries
                  items: [fish]
                  override:
                    items: append
                - macro: user_known_shell
                  condition: or proc.pname = cron
                  override: {condition: append}
                - rule: Shell spawned
                  priority: critical
                  condition: and proc.name != sh
                  override:
                    priority: replace
                    condition: append
                - rule: Shell spawned
                  exceptions:
                    - name: known_parents
                      values: [[tini, w]]
                  override: {exceptions: append}
                - rule: Old style
                  desc: d
                  condition: evt.type = openat and fd.name = /etc/passwd
                  output: "%fd.name"
                  priority: debug
                - rule: Old style
                  append: true
                  condition: and proc.name = cat
                - rule: Disabled
                  desc: d
                  condition: evt.type = openat
                  output: x
                  priority: debug
                - rule: Disabled
                  enabled: false
                """);
        RuleSet rules = RuleLoader.load(false, List.of(base, mine), s -> true);
        assertEquals(List.of("Shell spawned", "Old style"), rules.rules().stream().map(Rule::name).toList());
        var h = new Events.Harness(rules, RuleEnv.NONE);
        assertEquals("Critical", h.alerts(exec("app", "fish", "/usr/bin/fish", "fish")).get(0).priority());
        assertEquals(List.of(), h.fired(exec("app", "sh", "/usr/bin/sh", "sh")));
        h.fired(Events.process(io.taskscope.event.ProcessEvent.Kind.EXEC, 42, 1, "web", "tini", "/tini", "tini"));
        assertEquals(List.of(), h.fired(exec("web", "bash", "/usr/bin/bash", "bash")));
        h.fired(Events.process(io.taskscope.event.ProcessEvent.Kind.EXEC, 42, 1, "web", "cron", "/cron", "cron"));
        assertEquals(List.of(), h.fired(exec("web", "bash", "/usr/bin/bash", "bash")));
        assertEquals(List.of("Old style"), h.fired(syscall("web", "cat", "openat", "/etc/passwd", "O_RDONLY", 3, null)));
        assertEquals(List.of(), h.fired(syscall("web", "less", "openat", "/etc/passwd", "O_RDONLY", 3, null)));
    }

    private static void starts(String prefix, String actual) {
        if (!actual.startsWith(prefix)) assertEquals(prefix, actual);
    }

    private static void has(String part, String actual) {
        if (!actual.contains(part)) assertEquals(part, actual);
    }

    @Test
    void errorsNameFileLineAndColumn() {
        assertEquals("r.yaml:3:54: rule 'x': unexpected ')'; join conditions with 'and' or 'or', and check the parentheses",
                error("- rule: x\n  desc: d\n  condition: evt.type = execve and (proc.name = bash))\n  output: o\n  priority: info\n"));
        // inside a folded block, the column is where the character is in the file
        assertEquals("r.yaml:5:19: rule 'x': field proc.name needs an operator (=, !=, in, contains, startswith, exists...)"
                        + " but found 'bash'; add an operator and a value",
                error("- rule: x\n  desc: d\n  condition: >\n    evt.type = execve\n    and proc.name bash\n  output: o\n  priority: info\n"));
        starts("r.yaml:3:49: rule 'x': missing ')' to close the list opened here", error("- rule: x\n  desc: d\n  condition: evt.type = execve and proc.name in (a, b\n  output: o\n  priority: info\n"));
        starts("r.yaml:3:36: rule 'x': undefined macro 'no_such_macro'", error("- rule: x\n  desc: d\n  condition: evt.type = execve and no_such_macro\n  output: o\n  priority: info\n"));
        starts("r.yaml:3:36: rule 'x': unknown field 'prco.name'", error("- rule: x\n  desc: d\n  condition: evt.type = execve and prco.name = a\n  output: o\n  priority: info\n"));
        starts("r.yaml:3:25: rule 'x': proc.pid >: 'abc' is not a number", error("- rule: x\n  desc: d\n  condition: proc.pid > abc\n  output: o\n  priority: info\n"));
        has("'<' needs a numeric field; proc.name is text", error("- rule: x\n  desc: d\n  condition: proc.name < 3\n  output: o\n  priority: info\n"));
        assertTrue(error("- macro: m\n  condition: (a = b\n").startsWith("r.yaml:2:14: macro 'm': unknown field 'a'")
                || error("- macro: m\n  condition: (a = b\n").startsWith("r.yaml:2:"));
        starts("r.yaml:4: rule 'x' output: unknown field 'prc.nmae' at %prc.nmae",
                error("- rule: x\n  desc: d\n  condition: evt.type = execve\n  output: o %prc.nmae\n  priority: info\n"));
        // a Falco field taskscope does not fill, in an output only, prints <NA> and is warned about
        RuleSet k8s = new RuleLoader().addText("r.yaml", "- rule: x\n  desc: d\n  condition: evt.type = execve\n  output: o %k8s.pod.name\n  priority: info\n").build();
        assertEquals(List.of("r.yaml:4: rule 'x' output: k8s.pod.name prints <NA> (no Kubernetes metadata on this engine)"), k8s.warnings());
        starts("r.yaml:5: rule 'x': unknown priority 'urgent'", error("- rule: x\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: urgent\n"));
        starts("r.yaml:1: rule 'x' has no desc", error("- rule: x\n  condition: evt.type = execve\n  output: o\n  priority: info\n"));
        starts("r.yaml:1: rule 'x': override of a rule that is not defined", error("- rule: x\n  enabled: false\n  override: {enabled: replace}\n"));
        has("refers to itself", error("- macro: a\n  condition: b\n- macro: b\n  condition: a\n- rule: x\n  desc: d\n  condition: a\n  output: o\n  priority: info\n"));
        starts("r.yaml:1: unknown item with keys [nonsense]", error("- nonsense: 1\n"));
        starts("r.yaml:2: not valid YAML", error("- rule: x\n   desc: [\n"));
    }

    @Test
    void theOldFormatIsRejectedInOneLine() {
        assertEquals("r.yaml:1: this is taskscope's old rule format (rules: with when/unless); rule files are now Falco rule files;"
                        + " rewrite it as a list of '- rule:' items (docs/rules.md shows the old default rules in Falco syntax)",
                error("rules:\n  - name: x\n    when: {syscall: open}\n    priority: low\n    message: m\n"));
    }

    @Test
    void ruleWithoutEventTypeIsWarnedAndNeedsEverySyscall() {
        RuleSet rules = new RuleLoader().addText("r.yaml", "- rule: any\n  desc: d\n  condition: proc.name = nc\n  output: o\n  priority: info\n").build();
        assertTrue(rules.warnings().get(0).contains("names no evt.type"), rules.warnings().toString());
        assertTrue(rules.requirements(s -> true).allSyscalls());
        assertEquals(List.of("any"), new Events.Harness(rules, RuleEnv.NONE).fired(call(5, "app", "nc", "connect", 0, null, "3",
                "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"10.0.0.1\")}", "16")));
    }

    @Test
    void requirementsPerRuleAndContainer() {
        RuleSet rules = new RuleLoader(s -> !s.equals("container")).addText("r.yaml", """
                - rule: lifecycle
                  desc: d
                  condition: evt.type = execve and proc.name = sh
                  output: o
                  priority: info
                - rule: app opens
                  desc: d
                  condition: evt.type in (open, openat) and container.name = app
                  output: o
                  priority: info
                - rule: web connects
                  desc: d
                  condition: (evt.type = connect and container.name in (web)) or (evt.type = execve and container.name = web)
                  output: o
                  priority: info
                - rule: never here
                  desc: d
                  condition: evt.type = container
                  output: o
                  priority: info
                """).build();
        RuleRequirements req = rules.requirements(s -> true);
        assertEquals(java.util.Set.of("open", "openat", "connect"), req.syscalls());
        assertEquals(java.util.Set.of("open", "openat"), req.syscallsFor("app"));
        assertEquals(java.util.Set.of("connect"), req.syscallsFor("web"));
        assertTrue(req.lifecycleOnlyFor("db"));
        assertEquals(List.of("never here"), rules.skipped().stream().map(RuleSet.Skipped::name).toList());
        assertTrue(req.rules().get(1).inotifyCan());
    }
}
