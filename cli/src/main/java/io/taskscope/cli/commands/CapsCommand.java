package io.taskscope.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.TaskscopeException;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.cli.Table;
import io.taskscope.proc.Capability;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcStatus;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.task.Container;
import io.taskscope.task.Targets;
import io.taskscope.task.Task;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "caps", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show each process's capabilities (like pscap): effective, permitted, bounding and ambient sets by "
                + "name, 'full' when the set holds every capability of this kernel, '= effective' when equal to the "
                + "effective set; NNP is no_new_privs, SECCOMP the seccomp mode.",
                "Kernel threads are left out unless -a."})
public class CapsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JsonOption json;

    @Option(names = "--container", paramLabel = "NAME", description = "Only the processes of this container.")
    String container;

    @Option(names = "-p", split = ",", paramLabel = "PID", description = "Only these PIDs.")
    List<String> pids = new ArrayList<>();

    @Option(names = "-a", description = "Include kernel threads.")
    boolean all;

    @Override
    public Integer call() {
        Set<Integer> wanted = new LinkedHashSet<>();
        for (String p : pids) wanted.add(Targets.parsePid(p));
        Task task = Task.snapshot();
        PrintWriter err = spec.commandLine().getErr();
        for (String w : task.warnings()) err.println("taskscope: warning: " + w);
        err.flush();
        Container only = container == null ? null : task.container(container).orElseThrow(() -> TaskscopeException.usage(
                "no container named '" + container + "'; known: " + task.containerNames(), "give one of those names to --container"));
        for (int pid : wanted) {
            if (task.process(pid).isEmpty()) {
                throw TaskscopeException.usage("no process with PID " + pid + " in this PID namespace",
                        "run 'taskscope ps' to list the processes");
            }
        }
        int lastCap = Capability.lastCap(new ProcReader(task.proc()));
        List<ProcessInfo> rows = new ArrayList<>();
        for (ProcessInfo p : task.processes()) {
            if (!wanted.isEmpty() && !wanted.contains(p.pid())) continue;
            if (only != null && !only.pids().contains(p.pid())) continue;
            if (p.kernelThread() && !all && wanted.isEmpty()) continue;
            rows.add(p);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            printJson(out, task, rows, lastCap);
            return ExitCode.OK.code();
        }
        Table t = new Table(List.of("PID", "PPID", "USER", "CONTAINER", "NNP", "SECCOMP", "COMMAND", "EFFECTIVE", "PERMITTED",
                "BOUNDING", "AMBIENT"), List.of(true, true, false, false, true, false, false, false, false, false, false));
        for (ProcessInfo p : rows) {
            ProcStatus s = p.status();
            String eff = Capability.describe(s.capEff(), lastCap);
            t.add(List.of(Integer.toString(p.pid()), Integer.toString(p.ppid()), task.users().user(p, p.euid()),
                    task.containerOf(p.pid()).map(Container::name).orElse("-"),
                    s.noNewPrivs() < 0 ? "?" : Integer.toString(s.noNewPrivs()), seccomp(s.seccomp()),
                    NsCommand.shorten(p.command()), eff, same(s.capPrm(), s.capEff(), lastCap), same(s.capBnd(), s.capEff(), lastCap),
                    Capability.describe(s.capAmb(), lastCap)));
        }
        t.print(out);
        return ExitCode.OK.code();
    }

    private static String same(long set, long eff, int lastCap) {
        return set == eff && set != 0 ? "= effective" : Capability.describe(set, lastCap);
    }

    static String seccomp(int mode) {
        return switch (mode) {
            case 0 -> "disabled";
            case 1 -> "strict";
            case 2 -> "filter";
            default -> "?";
        };
    }

    private static void printJson(PrintWriter out, Task task, List<ProcessInfo> rows, int lastCap) {
        ObjectMapper m = io.taskscope.text.Escape.jsonMapper();
        ObjectNode root = m.createObjectNode();
        root.put("capLastCap", lastCap);
        ArrayNode list = root.putArray("processes");
        for (ProcessInfo p : rows) {
            ProcStatus s = p.status();
            ObjectNode o = list.addObject();
            o.put("pid", p.pid());
            o.put("ppid", p.ppid());
            o.put("user", task.users().user(p, p.euid()));
            o.put("uid", p.euid());
            String c = task.containerOf(p.pid()).map(Container::name).orElse(null);
            if (c == null) o.putNull("container");
            else o.put("container", c);
            o.put("command", p.command());
            o.put("noNewPrivs", s.noNewPrivs() == 1);
            o.put("seccomp", seccomp(s.seccomp()));
            set(o, "effective", s.capEff(), lastCap);
            set(o, "permitted", s.capPrm(), lastCap);
            set(o, "inheritable", s.capInh(), lastCap);
            set(o, "bounding", s.capBnd(), lastCap);
            set(o, "ambient", s.capAmb(), lastCap);
        }
        try {
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static void set(ObjectNode o, String name, long mask, int lastCap) {
        ObjectNode s = o.putObject(name);
        s.put("mask", String.format("%016x", mask));
        long full = Capability.fullMask(lastCap);
        s.put("full", mask != 0 && (mask & full) == full);
        ArrayNode names = s.putArray("names");
        Capability.names(mask).forEach(names::add);
    }
}
