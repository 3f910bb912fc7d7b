package io.taskscope.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.TaskscopeException;
import io.taskscope.agent.ControlClient;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.cli.Table;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.task.Container;
import io.taskscope.task.ProcessView;
import io.taskscope.task.Role;
import io.taskscope.task.Targets;
import io.taskscope.task.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ps", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the task's processes, grouped into containers (like ps auxw).",
                "CONTAINER shows the container's name and, for infrastructure, its role: (self) is this "
                        + "monitor, (pause) the task's PID 1, (agent) ECS Exec/SSM agents, (init) an engine's docker-init, "
                        + "(kernel) kernel threads. Names come from ECS metadata, else the engine's API (compose service, "
                        + "docker ps NAMES), else the short container ID.",
                "NSPID appears when a process is in a PID namespace nested below ours: its PID there.",
                "TRACED appears when a running agent answers (--socket): how it traces each process: lifecycle (only "
                        + "forks, execs and exits stop it), syscall (every system call does), syscall* (escalated to "
                        + "syscall mode), - (not traced)."})
public class PsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JsonOption json;

    @Option(names = "--show-secrets", description = "Show secrets in command lines (--password X, mysql -pX, URL "
            + "passwords, tokens) instead of <redacted> (see docs/security.md).")
    boolean showSecrets;

    @Parameters(arity = "0..1", paramLabel = "aux", description = "procps's BSD-style letters, for the habit: a, u, x "
            + "(every process, user-oriented: what taskscope ps shows anyway), w (nothing is cut), f (--tree).")
    String bsd;

    @Option(names = "--tree", description = "Show the hierarchy: children indented below their parent (like ps -efH).")
    boolean tree;

    @Option(names = "--container", paramLabel = "NAME", description = "Only the processes of this container.")
    String container;

    @Option(names = "-p", split = ",", paramLabel = "PID", description = "Only these PIDs (comma-separated or repeated).")
    List<String> pids = new ArrayList<>();

    @Option(names = "-o", split = ",", paramLabel = "COLUMN",
            description = "Columns to show: ${COMPLETION-CANDIDATES}. Aliases: %%cpu, %%mem, args, cmd, command, nlwp.",
            completionCandidates = ColumnNames.class)
    List<String> columns = new ArrayList<>();

    @Option(names = "--socket", paramLabel = "PATH",
            description = "A running agent's control socket, asked which processes it traces (TRACED column; "
                    + "default: $TASKSCOPE_SOCKET, else /run/taskscope/agent.sock).")
    Path socket;

    /** The columns -o accepts. */
    enum Column {
        USER("USER", false, (v, c) -> v.user()),
        UID("UID", true, (v, c) -> Integer.toString(v.uid())),
        PID("PID", true, (v, c) -> Integer.toString(v.pid())),
        PPID("PPID", true, (v, c) -> Integer.toString(v.ppid())),
        NSPID("NSPID", true, (v, c) -> c.innerPid(v)),
        PCPU("%CPU", true, (v, c) -> oneDecimal(v.cpuPercent())),
        PMEM("%MEM", true, (v, c) -> oneDecimal(v.memPercent())),
        VSZ("VSZ", true, (v, c) -> Long.toString(v.vszKiB())),
        RSS("RSS", true, (v, c) -> Long.toString(v.rssKiB())),
        TTY("TTY", false, (v, c) -> v.tty()),
        STAT("STAT", false, (v, c) -> v.stat()),
        START("START", false, (v, c) -> v.start(c.zone, c.now)),
        TIME("TIME", true, (v, c) -> v.time()),
        THREADS("NLWP", true, (v, c) -> Integer.toString(v.threads())),
        CONTAINER("CONTAINER", false, (v, c) -> containerLabel(v)),
        ROLE("ROLE", false, (v, c) -> v.role().label()),
        TRACED("TRACED", false, (v, c) -> c.agentTraced == null ? "-" : traced(c.agentTraced.get(v.pid()))),
        COMM("COMM", false, (v, c) -> c.indent(v) + v.comm()),
        ARGS("COMMAND", false, (v, c) -> c.indent(v) + v.command());

        final String header;
        final boolean right;
        final BiFunction<ProcessView, Context, String> value;

        Column(String header, boolean right, BiFunction<ProcessView, Context, String> value) {
            this.header = header;
            this.right = right;
            this.value = value;
        }

        static Column parse(String name) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            return switch (n) {
                case "%cpu", "pcpu", "cpu" -> PCPU;
                case "%mem", "pmem", "mem" -> PMEM;
                case "args", "cmd", "command" -> ARGS;
                case "nlwp", "threads", "thcount" -> THREADS;
                case "euser" -> USER;
                case "euid" -> UID;
                default -> {
                    for (Column c : values()) if (c.name().toLowerCase(Locale.ROOT).equals(n)) yield c;
                    throw TaskscopeException.usage("unknown column '" + name + "'",
                            "use one of: " + String.join(", ", new ColumnNames()));
                }
            };
        }
    }

    /** "12.3" for a value already truncated to one decimal; not String.format, whose Formatter costs ms at start-up. */
    static String oneDecimal(double v) {
        long tenths = Math.round(v * 10);
        return (tenths / 10) + "." + (tenths % 10);
    }

    /**
     * What a running agent traces, asked over its control socket: its reply's entry per traced PID (mode,
     * escalated, reason, coverage); null when no agent listens there. One stat when there is no socket; an agent
     * that does not answer is a warning, not a failure.
     */
    static Map<Integer, JsonNode> agentTracees(Path socket, PrintWriter err) {
        if (!java.nio.file.Files.exists(socket)) return null;
        try (ControlClient c = ControlClient.connect(socket, 300).orElse(null)) {
            if (c == null) return null;
            JsonNode ps = c.request(ControlClient.command("ps"), 1000);
            Map<Integer, JsonNode> pids = new java.util.HashMap<>();
            for (JsonNode t : ps.path("tracees")) pids.put(t.path("pid").asInt(), t);
            return pids;
        } catch (RuntimeException e) {
            err.println("taskscope: warning: the agent on " + socket + " did not answer (" + e.getMessage()
                    + "); TRACED is not shown");
            return null;
        }
    }

    /**
     * The TRACED column: {@code lifecycle} (only forks, execs and exits stop it), {@code syscall} (every call does),
     * {@code syscall*} (escalated to syscall mode), {@code agent} from an agent that does not say the mode, and
     * {@code -} when the agent does not trace it.
     */
    static String traced(JsonNode tracee) {
        if (tracee == null) return "-";
        String mode = tracee.path("mode").asText("");
        if (mode.isEmpty()) return "agent";
        return io.taskscope.text.Escape.text(mode) + (tracee.path("escalated").asBoolean(false) ? "*" : "");
    }

    /** For picocli's help text. */
    static class ColumnNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        ColumnNames() {
            for (Column c : Column.values()) add(c.name().toLowerCase(Locale.ROOT));
        }
    }

    /** What column values need beyond the row: time zone, now, the tree's depths. */
    static final class Context {
        final ZoneId zone = ZoneId.systemDefault();
        final Instant now = Instant.now();
        final int selfDepth;
        final Map<Integer, Integer> depth;
        final Map<Integer, JsonNode> agentTraced;

        Context(int selfDepth, Map<Integer, Integer> depth, Map<Integer, JsonNode> agentTraced) {
            this.selfDepth = selfDepth;
            this.depth = depth;
            this.agentTraced = agentTraced;
        }

        String innerPid(ProcessView v) {
            int inner = v.innerPid(selfDepth);
            return inner == 0 ? "-" : Integer.toString(inner);
        }

        String indent(ProcessView v) {
            Integer d = depth.get(v.pid());
            return d == null || d == 0 ? "" : "  ".repeat(d);
        }
    }

    /**
     * The container's name and, for infrastructure, its role in parentheses: every process of the
     * monitor's own container is "(self)", the pause process "(pause)", ECS Exec/SSM agents "(agent)".
     */
    static String containerLabel(ProcessView v) {
        String name = v.container().isEmpty() ? "-" : v.container();
        if (v.role() == Role.KERNEL) return "(kernel)";
        Role role = v.role() == Role.APP && v.selfContainer() ? Role.SELF : v.role();
        if (role == Role.APP) return name;
        return role.label().equals(name) ? "(" + name + ")" : name + " (" + role.label() + ")";
    }

    @Override
    public Integer call() {
        if (bsd != null) {
            for (char c : bsd.toCharArray()) {
                if (c == 'f') tree = true;
                else if ("auxw".indexOf(c) < 0) {
                    throw TaskscopeException.usage("ps '" + io.taskscope.text.Escape.text(bsd) + "': only the BSD letters a, u, x, w "
                            + "and f are understood", "taskscope ps shows every process like ps aux; narrow it with "
                            + "--container NAME or -p PID, choose columns with -o COLUMN,..., show the tree with --tree");
                }
            }
        }
        List<Column> cols = new ArrayList<>();
        for (String c : columns) cols.add(Column.parse(c));
        Set<Integer> wanted = new LinkedHashSet<>();
        for (String p : pids) wanted.add(Targets.parsePid(p));

        Task task = Task.snapshot();
        PrintWriter err = spec.commandLine().getErr();
        for (String w : task.warnings()) err.println("taskscope: warning: " + w);
        err.flush();

        List<ProcessInfo> selected = new ArrayList<>();
        Container only = null;
        if (container != null) {
            only = task.container(container).orElseThrow(() -> TaskscopeException.usage(
                    "no container named '" + container + "'; known: " + task.containerNames(),
                    "give one of those names to --container"));
        }
        for (int pid : wanted) {
            if (task.process(pid).isEmpty()) {
                throw TaskscopeException.usage("no process with PID " + pid + " in this PID namespace",
                        "run 'taskscope ps' to list the processes");
            }
        }
        for (ProcessInfo p : task.processes()) {
            if (!wanted.isEmpty() && !wanted.contains(p.pid())) continue;
            if (only != null && !only.pids().contains(p.pid())) continue;
            selected.add(p);
        }

        Map<Integer, Integer> depth = new java.util.HashMap<>();
        if (tree) selected = treeOrder(selected, depth);

        int selfDepth = task.process(task.selfPid()).map(p -> Math.max(1, p.nspid().size())).orElse(1);
        List<ProcessView> rows = new ArrayList<>(selected.size());
        for (ProcessInfo p : selected) {
            ProcessView v = ProcessView.of(task, p);
            rows.add(showSecrets ? v : v.withCmdline(io.taskscope.env.Redaction.commandLine(v.cmdline())));
        }

        Map<Integer, JsonNode> traced = agentTracees(socket != null ? socket : io.taskscope.agent.AgentSocket.path(), err);
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            printJson(out, task, rows, selfDepth, traced);
            return ExitCode.OK.code();
        }
        if (cols.isEmpty()) {
            boolean nested = rows.stream().anyMatch(v -> v.innerPid(selfDepth) != 0);
            cols.addAll(List.of(Column.USER, Column.PID));
            if (nested) cols.add(Column.NSPID);
            cols.addAll(List.of(Column.PCPU, Column.PMEM, Column.VSZ, Column.RSS, Column.TTY, Column.STAT,
                    Column.START, Column.TIME, Column.CONTAINER));
            if (traced != null) cols.add(Column.TRACED); // a running agent answered: what it traces
            cols.add(Column.ARGS);
        }
        Context ctx = new Context(selfDepth, depth, traced);
        Table table = new Table(cols.stream().map(c -> c.header).toList(), cols.stream().map(c -> c.right).toList());
        for (ProcessView v : rows) table.add(cols.stream().map(c -> c.value.apply(v, ctx)).toList());
        table.print(out);
        return ExitCode.OK.code();
    }

    /** Depth-first from the roots (processes whose parent is not listed), children by PID. */
    static List<ProcessInfo> treeOrder(List<ProcessInfo> ps, Map<Integer, Integer> depth) {
        Map<Integer, ProcessInfo> byPid = new java.util.HashMap<>();
        for (ProcessInfo p : ps) byPid.put(p.pid(), p);
        Map<Integer, List<ProcessInfo>> children = new java.util.HashMap<>();
        List<ProcessInfo> roots = new ArrayList<>();
        for (ProcessInfo p : ps) {
            if (p.ppid() != p.pid() && byPid.containsKey(p.ppid())) children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
            else roots.add(p);
        }
        List<ProcessInfo> out = new ArrayList<>(ps.size());
        java.util.ArrayDeque<Object[]> stack = new java.util.ArrayDeque<>();
        for (int i = roots.size() - 1; i >= 0; i--) stack.push(new Object[] {roots.get(i), 0});
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            ProcessInfo p = (ProcessInfo) top[0];
            int d = (Integer) top[1];
            if (depth.containsKey(p.pid())) continue;
            depth.put(p.pid(), d);
            out.add(p);
            List<ProcessInfo> kids = children.getOrDefault(p.pid(), List.of());
            for (int i = kids.size() - 1; i >= 0; i--) stack.push(new Object[] {kids.get(i), d + 1});
        }
        return out;
    }

    private void printJson(PrintWriter out, Task task, List<ProcessView> rows, int selfDepth, Map<Integer, JsonNode> traced) {
        ObjectMapper m = io.taskscope.text.Escape.jsonMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode procs = root.putArray("processes");
        for (ProcessView v : rows) {
            ObjectNode o = procs.addObject();
            o.put("pid", v.pid());
            o.put("ppid", v.ppid());
            ArrayNode ns = o.putArray("nspid");
            v.nspid().forEach(ns::add);
            int inner = v.innerPid(selfDepth);
            if (inner != 0) o.put("innerPid", inner);
            else o.putNull("innerPid");
            o.put("user", v.user());
            o.put("uid", v.uid());
            o.put("cpuPercent", v.cpuPercent());
            o.put("memPercent", v.memPercent());
            o.put("vszKiB", v.vszKiB());
            o.put("rssKiB", v.rssKiB());
            o.put("tty", v.tty());
            o.put("stat", v.stat());
            o.put("start", Instant.ofEpochMilli((long) (v.startEpochSeconds() * 1000)).toString());
            o.put("cpuSeconds", v.cpuSeconds());
            o.put("threads", v.threads());
            o.put("comm", v.comm());
            ArrayNode args = o.putArray("cmdline");
            v.cmdline().forEach(args::add);
            o.put("command", v.command());
            if (v.container().isEmpty()) o.putNull("container");
            else o.put("container", v.container());
            o.put("role", v.role().label());
            if (traced != null) o.put("tracedByAgent", traced.containsKey(v.pid()));
            JsonNode t = traced == null ? null : traced.get(v.pid());
            if (t != null) { // the agent's view of it: mode, escalated, reason, coverage (when it says)
                for (String f : List.of("mode", "escalated", "reason", "coverage")) if (t.has(f)) o.set(f, t.get(f));
            }
        }
        ArrayNode cs = root.putArray("containers");
        for (Container c : task.containers()) {
            ObjectNode o = cs.addObject();
            o.put("name", c.name());
            o.put("id", c.id());
            if (c.image().isPresent()) o.put("image", c.image().get());
            else o.putNull("image");
            o.put("source", c.source().label());
            if (c.hostname().isPresent()) o.put("hostname", c.hostname().get());
            else o.putNull("hostname");
            o.put("self", c.self());
            o.put("infrastructure", c.infrastructure());
            o.put("mntNs", c.mntNs());
            o.put("mainPid", c.mainPid());
            ArrayNode p = o.putArray("pids");
            c.pids().forEach(p::add);
        }
        ArrayNode w = root.putArray("warnings");
        task.warnings().forEach(w::add);
        try {
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}
