package io.taskscope.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.TaskscopeException;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.cli.Table;
import io.taskscope.proc.NsType;
import io.taskscope.task.NamespaceReport;
import io.taskscope.task.Task;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ns", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the task's namespaces (like lsns), then, per container, whether it shares each namespace "
                + "with this monitor.",
                "pidMode=task shows pid 'shared' and mnt 'separate' for every container; --pid=host shows the host's "
                        + "pid namespace; a container that shares nothing cannot be seen at all."})
public class NsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JsonOption json;

    @Option(names = {"-t", "--type"}, split = ",", paramLabel = "TYPE",
            description = "Only these types: pid, pid_for_children, mnt, net, uts, ipc, user, cgroup, time.")
    List<String> types = new ArrayList<>();

    @Override
    public Integer call() {
        List<NsType> wanted = new ArrayList<>();
        for (String t : types) {
            wanted.add(NsType.byName(t.strip()).orElseThrow(() -> TaskscopeException.usage("unknown namespace type '" + t + "'",
                    "use one of: " + String.join(", ", Arrays.stream(NsType.values()).map(NsType::file).toList()))));
        }
        if (wanted.isEmpty()) wanted.addAll(List.of(NsType.values()));

        Task task = Task.snapshot();
        PrintWriter err = spec.commandLine().getErr();
        for (String w : task.warnings()) err.println("taskscope: warning: " + w);
        err.flush();
        NamespaceReport report = NamespaceReport.of(task);
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            printJson(out, report, wanted);
            return ExitCode.OK.code();
        }
        Table ns = new Table(List.of("NS", "TYPE", "NPROCS", "PID", "MONITOR", "CONTAINERS", "COMMAND"),
                List.of(true, false, true, true, false, false, false));
        for (NamespaceReport.Namespace n : report.namespaces()) {
            if (!wanted.contains(n.type())) continue;
            ns.add(List.of(Long.toString(n.inode()), n.type().file(), Integer.toString(n.processes()), Integer.toString(n.pid()),
                    n.monitor() ? "yes" : "-", n.containers().isEmpty() ? "-" : String.join(",", n.containers()),
                    shorten(n.command())));
        }
        ns.print(out);
        out.println();

        List<String> headers = new ArrayList<>(List.of("CONTAINER", "PID"));
        List<Boolean> right = new ArrayList<>(List.of(false, true));
        for (NsType t : wanted) {
            headers.add(t.file());
            right.add(false);
        }
        Table cs = new Table(headers, right);
        for (NamespaceReport.ContainerNamespaces c : report.containers()) {
            List<String> row = new ArrayList<>(List.of(c.container(), Integer.toString(c.pid())));
            for (NsType t : wanted) {
                Boolean shared = c.shared().get(t);
                row.add(shared == null ? "?" : shared ? "shared" : "separate");
            }
            cs.add(row);
        }
        cs.print(out);
        return ExitCode.OK.code();
    }

    /** lsns-style: the command names the namespace's first process; a whole command line is noise here. */
    static String shorten(String command) {
        return command.length() <= 60 ? command : command.substring(0, 57) + "...";
    }

    private static void printJson(PrintWriter out, NamespaceReport report, List<NsType> wanted) {
        ObjectMapper m = io.taskscope.text.Escape.jsonMapper();
        ObjectNode root = m.createObjectNode();
        ObjectNode mon = root.putObject("monitor");
        for (Map.Entry<NsType, Long> e : report.monitor().entrySet()) if (wanted.contains(e.getKey())) mon.put(e.getKey().file(), e.getValue());
        ArrayNode list = root.putArray("namespaces");
        for (NamespaceReport.Namespace n : report.namespaces()) {
            if (!wanted.contains(n.type())) continue;
            ObjectNode o = list.addObject();
            o.put("type", n.type().file());
            o.put("inode", n.inode());
            o.put("processes", n.processes());
            o.put("pid", n.pid());
            o.put("command", n.command());
            o.put("monitor", n.monitor());
            ArrayNode c = o.putArray("containers");
            n.containers().forEach(c::add);
        }
        ArrayNode cs = root.putArray("containers");
        for (NamespaceReport.ContainerNamespaces c : report.containers()) {
            ObjectNode o = cs.addObject();
            o.put("name", c.container());
            o.put("pid", c.pid());
            ObjectNode sh = o.putObject("namespaces");
            for (NsType t : wanted) {
                Long inode = c.inodes().get(t);
                Boolean shared = c.shared().get(t);
                ObjectNode e = sh.putObject(t.file());
                if (inode == null) e.putNull("inode");
                else e.put("inode", inode);
                e.put("sharing", shared == null ? "unknown" : shared ? "shared" : "separate");
            }
        }
        try {
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}
