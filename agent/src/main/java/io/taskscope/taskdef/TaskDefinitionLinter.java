package io.taskscope.taskdef;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.taskdef.Finding.Severity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks an ECS task definition for what taskscope needs and what Fargate accepts: the containers share one
 * PID namespace ({@code pidMode: task}); taskscope's container (the monitor) has SYS_PTRACE, and no
 * container adds another capability (Fargate refuses them); the monitor starts after every other container,
 * because with a shared PID namespace ECS Exec reaches only the container started last; it is not essential,
 * keeps a writable root (ECS Exec needs one) and logs through awslogs; cpu and memory are a Fargate size.
 *
 * <p>Accepts the file {@code aws ecs register-task-definition --cli-input-json} takes, and the output of
 * {@code aws ecs describe-task-definition} (the definition under {@code taskDefinition}).
 */
public final class TaskDefinitionLinter {
    private static final String PTRACE = "SYS_PTRACE";

    private final Optional<String> monitorName;

    /** @param monitorName the monitor's container name; empty to find it (the container with SYS_PTRACE) */
    public TaskDefinitionLinter(Optional<String> monitorName) {
        this.monitorName = monitorName;
    }

    /** "(start marker at [Source: ...; line: 1, column: 1])": where the value that was never closed opened. */
    private static final java.util.regex.Pattern START_MARKER = java.util.regex.Pattern.compile(
            "\\(start marker at \\[Source: .*?; line: (\\d+), column: (\\d+)\\]\\)", java.util.regex.Pattern.DOTALL);
    /** "(',' (code 44))": the character alone. */
    private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("\\(('.{1,4}') \\(code \\d+\\)\\)");

    /**
     * Jackson's own words, without the source clause it appends to some messages ("[Source: (byte[])...; line: 1,
     * column: 1]", which holds the file's text), never cut inside a parenthesis: an unclosed object or array says
     * where it opened.
     */
    static String jsonProblem(JacksonException e) {
        String m = String.valueOf(e.getOriginalMessage());
        java.util.regex.Matcher start = START_MARKER.matcher(m);
        if (start.find()) {
            m = m.substring(0, start.start()) + "(opened at line " + start.group(1) + ", column " + start.group(2) + ")"
                    + m.substring(start.end());
        }
        int src = m.indexOf(" at [Source:");
        if (src < 0) src = m.indexOf("[Source:");
        if (src >= 0) m = m.substring(0, src);
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        m = CODE.matcher(m).replaceAll("$1").strip();
        // whatever was cut above, never leave a parenthesis open
        int depth = 0;
        int firstOpen = -1;
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c == '(' && depth++ == 0) firstOpen = i;
            else if (c == ')' && depth > 0) depth--;
        }
        if (depth > 0) m = m.substring(0, firstOpen).strip();
        return m.endsWith(":") ? m.substring(0, m.length() - 1) : m;
    }

    /** Lints JSON text; text that is not JSON is one error finding, not an exception. */
    public LintReport lint(String source, byte[] json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JacksonException e) {
            JsonLocation at = e instanceof JsonProcessingException p ? p.getLocation() : null;
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return new LintReport(source, Optional.empty(), List.of(new Finding(Severity.ERROR, "json", "$",
                    Optional.empty(), "not valid JSON" + where + ": " + jsonProblem(e),
                    "fix the syntax; ECS rejects the file as it is")));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("reading JSON from memory", e);
        }
        if (root == null) {
            return new LintReport(source, Optional.empty(), List.of(new Finding(Severity.ERROR, "json", "$",
                    Optional.empty(), "the file is empty", "give it a task definition (a JSON object)")));
        }
        return lint(source, root);
    }

    public LintReport lint(String source, JsonNode root) {
        Run run = new Run();
        String base = "$";
        JsonNode td = root;
        if (root.isObject() && root.has("taskDefinition") && !root.has("containerDefinitions")) {
            td = root.get("taskDefinition");
            base = "$.taskDefinition";
        }
        if (!td.isObject()) {
            run.error("json", base, null, "not a task definition: expected a JSON object",
                    "give the file the shape of 'aws ecs register-task-definition --cli-input-json'");
            return new LintReport(source, Optional.empty(), run.findings);
        }
        checkTask(run, td, base);
        List<Container> containers = containers(run, td, base);
        Optional<Container> monitor = containers.isEmpty() ? Optional.empty() : findMonitor(run, containers, base);
        for (Container c : containers) checkCapabilities(run, c);
        monitor.ifPresent(m -> checkMonitor(run, m, containers));
        monitor.ifPresent(m -> checkOrder(run, m, containers));
        for (Container c : containers) checkLogs(run, c, monitor.map(m -> m == c).orElse(false));
        return new LintReport(source, monitor.map(Container::name), run.findings);
    }

    // ------------------------------------------------------------------------------------------ task level

    private static void checkTask(Run run, JsonNode td, String base) {
        String network = text(td, "networkMode");
        if (!"awsvpc".equals(network)) {
            run.error("network-mode", base + ".networkMode", null,
                    (network.isEmpty() ? "networkMode is missing" : "networkMode is \"" + network + "\"")
                            + ": Fargate requires awsvpc, where the task's containers share one network namespace",
                    "set \"networkMode\": \"awsvpc\"");
        }
        JsonNode compat = td.get("requiresCompatibilities");
        boolean fargate = compat != null && compat.isArray()
                && stream(compat).anyMatch(n -> "FARGATE".equals(n.asText()));
        if (!fargate) {
            run.warning("fargate", base + ".requiresCompatibilities", null,
                    "requiresCompatibilities does not list FARGATE: ECS will not check this definition for Fargate "
                            + "when you register it, only when a task starts",
                    "set \"requiresCompatibilities\": [\"FARGATE\"]");
        }
        String pid = text(td, "pidMode");
        if (!"task".equals(pid)) {
            String what = pid.isEmpty() ? "pidMode is missing"
                    : "host".equals(pid) ? "pidMode is \"host\", which Fargate does not support"
                    : "pidMode is \"" + pid + "\"";
            run.error("pid-mode", base + ".pidMode", null,
                    what + ("host".equals(pid) ? " (on EC2 it would show taskscope every process of the host)"
                            : ": each container gets its own PID namespace and taskscope sees only its own processes"),
                    "set \"pidMode\": \"task\"");
        }
        checkSize(run, td, base);
    }

    private static void checkSize(Run run, JsonNode td, String base) {
        String cpuText = text(td, "cpu");
        String memText = text(td, "memory");
        if (cpuText.isEmpty() || memText.isEmpty()) {
            String missing = cpuText.isEmpty() && memText.isEmpty() ? "cpu and memory are" : cpuText.isEmpty()
                    ? "cpu is" : "memory is";
            run.error("cpu-memory", base + (cpuText.isEmpty() ? ".cpu" : ".memory"), null,
                    "task-level " + missing + " missing: Fargate requires both",
                    "set a Fargate size, for example \"cpu\": \"512\", \"memory\": \"1024\"");
            return;
        }
        Optional<Integer> cpu = FargateSize.parseCpu(cpuText);
        Optional<Integer> mem = FargateSize.parseMemory(memText);
        if (cpu.isEmpty()) {
            run.error("cpu-memory", base + ".cpu", null, "cpu \"" + cpuText + "\" is not CPU units or vCPUs",
                    "write units (\"512\") or vCPUs (\"0.5 vCPU\")");
            return;
        }
        if (mem.isEmpty()) {
            run.error("cpu-memory", base + ".memory", null, "memory \"" + memText + "\" is not MiB or GB",
                    "write MiB (\"1024\") or GB (\"1 GB\")");
            return;
        }
        if (FargateSize.memoriesFor(cpu.get()).isEmpty()) {
            run.error("cpu-memory", base + ".cpu", null, "cpu " + cpu.get() + " is not a Fargate size",
                    "use one of " + join(FargateSize.cpus()));
        } else if (!FargateSize.valid(cpu.get(), mem.get())) {
            List<Integer> cpus = FargateSize.cpusFor(mem.get());
            run.error("cpu-memory", base + ".memory", null,
                    "cpu " + FargateSize.describeCpu(cpu.get()) + " with memory " + mem.get()
                            + " MiB is not a Fargate size",
                    "with cpu " + cpu.get() + ", set memory to one of " + abbreviate(FargateSize.memoriesFor(cpu.get()))
                            + (cpus.isEmpty() ? "" : "; or keep the memory and set cpu to " + join(cpus)));
        }
    }

    // ------------------------------------------------------------------------------------------ containers

    /** A container definition with where it is in the file. */
    private record Container(int index, String name, JsonNode node, String path) {
        boolean addsPtrace() {
            return capabilityAdds(this).stream().anyMatch(c -> c.equals(PTRACE) || c.equals("CAP_" + PTRACE));
        }

        String label() {
            return "container \"" + name + "\"";
        }

        /** By name or image: "taskscope", "monitor", "<registry>/taskscope-monitor:tag". */
        boolean looksLikeTaskscope() {
            String repo = text(node, "image").replaceAll("^.*/", "").replaceAll("[:@].*$", "");
            return repo.equals("taskscope") || repo.contains("monitor") || name.equals("taskscope")
                    || name.contains("monitor");
        }
    }

    private static List<Container> containers(Run run, JsonNode td, String base) {
        JsonNode defs = td.get("containerDefinitions");
        if (defs == null || !defs.isArray() || defs.isEmpty()) {
            run.error("containers", base + ".containerDefinitions", null, "the task has no containerDefinitions",
                    "define the task's containers, taskscope's among them");
            return List.of();
        }
        List<Container> out = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
            JsonNode c = defs.get(i);
            String path = base + ".containerDefinitions[" + i + "]";
            String name = text(c, "name");
            if (!c.isObject() || name.isEmpty()) {
                run.error("containers", path + ".name", null, "a container without a name",
                        "give every container a \"name\"");
                continue;
            }
            out.add(new Container(i, name, c, path));
        }
        return out;
    }

    private Optional<Container> findMonitor(Run run, List<Container> containers, String base) {
        if (monitorName.isPresent()) {
            Optional<Container> named = containers.stream().filter(c -> c.name().equals(monitorName.get())).findFirst();
            if (named.isEmpty()) {
                run.error("monitor", base + ".containerDefinitions", null,
                        "no container is named \"" + monitorName.get() + "\"",
                        "name taskscope's container with --monitor: one of " + names(containers));
            }
            return named;
        }
        List<Container> ptrace = containers.stream().filter(Container::addsPtrace).toList();
        if (ptrace.size() == 1) return Optional.of(ptrace.get(0));
        List<Container> pool = ptrace.isEmpty() ? containers : ptrace;
        Optional<Container> likely = pool.stream().filter(Container::looksLikeTaskscope).findFirst();
        if (likely.isEmpty() && !ptrace.isEmpty()) likely = Optional.of(ptrace.get(ptrace.size() - 1));
        if (likely.isEmpty()) {
            run.error("sys-ptrace", base + ".containerDefinitions", null,
                    "no container adds SYS_PTRACE: taskscope cannot trace its neighbours nor read their "
                            + "/proc/<pid>/root and environ",
                    "add \"linuxParameters\": {\"capabilities\": {\"add\": [\"SYS_PTRACE\"]}} to taskscope's "
                            + "container (or name it with --monitor)");
        }
        return likely;
    }

    private static void checkCapabilities(Run run, Container c) {
        JsonNode add = at(c.node(), "linuxParameters", "capabilities", "add");
        if (add != null && add.isArray()) {
            for (int i = 0; i < add.size(); i++) {
                String cap = add.get(i).asText();
                String path = c.path() + ".linuxParameters.capabilities.add[" + i + "]";
                if (cap.equals(PTRACE)) continue;
                if (cap.equals("CAP_" + PTRACE)) {
                    run.error("capabilities", path, c, "\"" + cap + "\" is not a value ECS accepts: it names "
                            + "capabilities without the CAP_ prefix", "write \"" + PTRACE + "\"");
                } else {
                    run.error("capabilities", path, c, "Fargate accepts only SYS_PTRACE in capabilities.add; "
                            + c.label() + " adds \"" + cap + "\", and the task will not run", "remove \"" + cap + "\"");
                }
            }
        }
        if (c.node().path("privileged").asBoolean(false)) {
            run.error("privileged", c.path() + ".privileged", c, "Fargate does not run privileged containers",
                    "remove \"privileged\" (taskscope needs only SYS_PTRACE)");
        }
    }

    private static void checkMonitor(Run run, Container m, List<Container> containers) {
        String role = m.label() + " (taskscope's)";
        if (!m.addsPtrace()) {
            run.error("sys-ptrace", m.path() + ".linuxParameters.capabilities.add", m,
                    role + " does not add SYS_PTRACE: it cannot trace its neighbours nor read their "
                            + "/proc/<pid>/root and environ",
                    "add \"linuxParameters\": {\"capabilities\": {\"add\": [\"SYS_PTRACE\"]}}");
        }
        for (Container c : containers) {
            if (c != m && c.addsPtrace()) {
                run.warning("sys-ptrace", c.path() + ".linuxParameters.capabilities.add", c,
                        c.label() + " also adds SYS_PTRACE: any process in it can trace and read every other container",
                        "remove SYS_PTRACE from " + c.label() + "; only taskscope's container needs it");
            }
        }
        JsonNode essential = m.node().get("essential");
        if (essential != null && !essential.isBoolean()) {
            run.error("essential", m.path() + ".essential", m, "\"essential\" is " + essential
                            + ", not a boolean: ECS rejects the task definition", "set \"essential\": false (no quotes)");
        } else if (essential == null || essential.asBoolean(true)) {
            run.warning("essential", m.path() + ".essential", m,
                    role + " is essential" + (essential == null ? " (the default)" : "")
                            + ": if taskscope stops, ECS stops the whole task",
                    "set \"essential\": false");
        }
        if (m.node().path("readonlyRootFilesystem").asBoolean(false)) {
            run.error("writable-root", m.path() + ".readonlyRootFilesystem", m,
                    role + " has a read-only root filesystem: ECS Exec cannot start its agent there",
                    "set \"readonlyRootFilesystem\": false");
        }
        if (!at(m.node(), "linuxParameters", "initProcessEnabled").asBoolean(false)) {
            run.warning("init-process", m.path() + ".linuxParameters.initProcessEnabled", m,
                    role + " has no init process: the processes ECS Exec sessions leave behind are not reaped",
                    "set \"linuxParameters\": {\"initProcessEnabled\": true}");
        }
        String user = text(m.node(), "user");
        if (!user.isEmpty() && !user.matches("(0|root)(:.*)?")) {
            run.warning("user", m.path() + ".user", m,
                    role + " runs as \"" + user + "\": added capabilities are effective only for root, so "
                            + "SYS_PTRACE does nothing",
                    "remove \"user\" (run taskscope as root)");
        }
    }

    /** The monitor must start after every other container: ECS Exec reaches only the last one started. */
    private static void checkOrder(Run run, Container m, List<Container> containers) {
        Map<String, Container> byName = new LinkedHashMap<>();
        containers.forEach(c -> byName.putIfAbsent(c.name(), c));
        for (Container c : containers) {
            JsonNode deps = c.node().get("dependsOn");
            if (deps == null || !deps.isArray()) continue;
            for (int i = 0; i < deps.size(); i++) {
                String target = text(deps.get(i), "containerName");
                if (!byName.containsKey(target)) {
                    run.error("depends-on", c.path() + ".dependsOn[" + i + "].containerName", c,
                            c.label() + " depends on \"" + target + "\", which the task does not define",
                            "name one of " + names(containers));
                }
            }
        }
        Set<String> before = dependencies(m, byName);
        for (Container c : containers) {
            if (c == m || before.contains(c.name())) continue;
            if (dependencies(c, byName).contains(m.name())) {
                run.error("monitor-last", c.path() + ".dependsOn", c,
                        c.label() + " starts after taskscope's (its dependsOn waits for \"" + m.name()
                                + "\"): with pidMode task, ECS Exec reaches only the container started last",
                        "remove \"" + m.name() + "\" from the dependsOn of " + c.label()
                                + " and make \"" + m.name() + "\" depend on \"" + c.name() + "\"");
            } else {
                run.error("monitor-last", m.path() + ".dependsOn", m,
                        m.label() + " (taskscope's) may start before \"" + c.name()
                                + "\": with pidMode task, ECS Exec reaches only the container started last",
                        "add {\"containerName\": \"" + c.name() + "\", \"condition\": \"HEALTHY\"} to the dependsOn of "
                                + m.label());
            }
        }
        JsonNode deps = m.node().get("dependsOn");
        if (deps == null || !deps.isArray()) return;
        for (int i = 0; i < deps.size(); i++) {
            String target = text(deps.get(i), "containerName");
            String condition = text(deps.get(i), "condition").toUpperCase(Locale.ROOT);
            Container t = byName.get(target);
            String path = m.path() + ".dependsOn[" + i + "].condition";
            if (t == null) continue;
            if (condition.equals("COMPLETE") || condition.equals("SUCCESS")) {
                run.error("depends-healthy", path, m, m.label() + " waits for \"" + target + "\" to " + condition
                                + " (exit): " + target + " is a long-running container, so taskscope would start only "
                                + "after it stopped", "use \"condition\": \"HEALTHY\"");
            } else if (condition.equals("START")) {
                run.warning("depends-healthy", path, m, m.label() + " waits only for \"" + target
                                + "\" to start: taskscope may find it half-started",
                        "use \"condition\": \"HEALTHY\"" + (t.node().has("healthCheck") ? ""
                                : " and give \"" + target + "\" a healthCheck"));
            } else if (condition.equals("HEALTHY") && !t.node().has("healthCheck")) {
                run.error("health-check", t.path() + ".healthCheck", t, m.label() + " waits for \"" + target
                                + "\" to be HEALTHY, but " + t.label() + " has no healthCheck: the monitor never starts",
                        "give " + t.label() + " a healthCheck, or use \"condition\": \"START\"");
            } else if (condition.isEmpty()) {
                run.error("depends-on", path, m, "a dependsOn entry without a condition",
                        "set \"condition\": \"HEALTHY\"");
            }
        }
    }

    /** The names a container waits for, directly or through others. */
    private static Set<String> dependencies(Container from, Map<String, Container> byName) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<Container> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            JsonNode deps = todo.pop().node().get("dependsOn");
            if (deps == null || !deps.isArray()) continue;
            for (JsonNode d : deps) {
                String name = text(d, "containerName");
                if (seen.add(name) && byName.containsKey(name)) todo.push(byName.get(name));
            }
        }
        return seen;
    }

    /** The log drivers Fargate accepts (task definition parameters, logConfiguration). */
    private static final Set<String> FARGATE_LOG_DRIVERS = Set.of("awslogs", "splunk", "awsfirelens");

    private static void checkLogs(Run run, Container c, boolean monitor) {
        JsonNode lc = c.node().get("logConfiguration");
        if (lc == null || !lc.isObject()) {
            if (monitor) {
                run.error("awslogs", c.path() + ".logConfiguration", c,
                        c.label() + " (taskscope's) has no logConfiguration: its events and metrics on stdout are lost",
                        "add an awslogs logConfiguration (awslogs-group, awslogs-region, awslogs-stream-prefix, "
                                + "mode non-blocking, max-buffer-size)");
            } else {
                run.warning("awslogs", c.path() + ".logConfiguration", c,
                        c.label() + " has no logConfiguration: its output is lost", "add an awslogs logConfiguration");
            }
            return;
        }
        String driver = text(lc, "logDriver");
        String path = c.path() + ".logConfiguration";
        if (!FARGATE_LOG_DRIVERS.contains(driver)) {
            run.error("log-driver", path + ".logDriver", c, c.label() + " logs through \"" + driver + "\", which Fargate "
                            + "does not support (it takes awslogs, splunk and awsfirelens)",
                    "use \"logDriver\": \"awslogs\"");
            return;
        }
        if (!driver.equals("awslogs")) {
            if (monitor) {
                run.warning("awslogs", path + ".logDriver", c, c.label() + " (taskscope's) logs through \"" + driver
                                + "\": taskscope's metrics use CloudWatch's embedded metric format, which awslogs ships",
                        "use \"logDriver\": \"awslogs\"");
            }
            return;
        }
        JsonNode options = lc.path("options");
        for (String required : List.of("awslogs-group", "awslogs-region", "awslogs-stream-prefix")) {
            if (text(options, required).isEmpty()) {
                run.error("awslogs", path + ".options", c, c.label() + "'s awslogs options lack \"" + required + "\""
                                + (required.equals("awslogs-stream-prefix") ? ", which Fargate requires" : ""),
                        "set \"" + required + "\"");
            }
        }
        String mode = text(options, "mode");
        if (!mode.equals("non-blocking")) {
            run.warning("awslogs-mode", path + ".options.mode", c,
                    c.label() + " logs in " + (mode.isEmpty() ? "blocking mode (the default)" : "mode \"" + mode + "\"")
                            + ": when CloudWatch is slow, writes to stdout block and the container stalls",
                    "set \"mode\": \"non-blocking\" and a \"max-buffer-size\"");
        } else if (!text(options, "max-buffer-size").isEmpty() && !text(options, "max-buffer-size").matches("(?i)[0-9]+[kmg]?b?")) {
            run.error("awslogs-mode", path + ".options.max-buffer-size", c, c.label() + "'s max-buffer-size \""
                            + text(options, "max-buffer-size") + "\" is not a size: ECS refuses to start the container",
                    "give a size such as \"4m\" or \"25m\"");
        } else if (text(options, "max-buffer-size").isEmpty()) {
            run.warning("awslogs-mode", path + ".options", c,
                    c.label() + " logs in non-blocking mode without a max-buffer-size: the default buffer is small "
                            + "and bursts are dropped",
                    "set \"max-buffer-size\", e.g. \"4m\"");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The findings of one lint. */
    private static final class Run {
        final List<Finding> findings = new ArrayList<>();

        void error(String rule, String path, Container c, String message, String fix) {
            add(Severity.ERROR, rule, path, c, message, fix);
        }

        void warning(String rule, String path, Container c, String message, String fix) {
            add(Severity.WARNING, rule, path, c, message, fix);
        }

        private void add(Severity s, String rule, String path, Container c, String message, String fix) {
            findings.add(new Finding(s, rule, path, Optional.ofNullable(c).map(Container::name), message, fix));
        }
    }

    private static List<String> capabilityAdds(Container c) {
        JsonNode add = at(c.node(), "linuxParameters", "capabilities", "add");
        return add == null || !add.isArray() ? List.of() : stream(add).map(JsonNode::asText).toList();
    }

    private static JsonNode at(JsonNode node, String... fields) {
        JsonNode n = node;
        for (String f : fields) n = n.path(f);
        return n;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? "" : v.asText();
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    private static String names(List<Container> containers) {
        return containers.stream().map(c -> "\"" + c.name() + "\"").collect(Collectors.joining(", "));
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** "1024, 2048, 3072, 4096", or "16384 to 61440 in steps of 4096" for long lists. */
    private static String abbreviate(List<Integer> values) {
        if (values.size() <= 8) return join(values);
        return values.get(0) + " to " + values.get(values.size() - 1) + " in steps of " + (values.get(1) - values.get(0));
    }
}
