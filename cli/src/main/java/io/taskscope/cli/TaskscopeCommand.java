package io.taskscope.cli;

import io.taskscope.cli.commands.AgentCommand;
import io.taskscope.cli.commands.CapsCommand;
import io.taskscope.cli.commands.DoctorCommand;
import io.taskscope.cli.commands.EnvCommand;
import io.taskscope.cli.commands.FsCommand;
import io.taskscope.cli.commands.HealthCommand;
import io.taskscope.cli.commands.InspectCommand;
import io.taskscope.cli.commands.NsCommand;
import io.taskscope.cli.commands.PsCommand;
import io.taskscope.cli.commands.TaskdefCommand;
import io.taskscope.cli.commands.TraceCommand;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The root command. Each subcommand is one class under {@code commands}, listed in {@link #SUBCOMMANDS}
 * (not in the annotation): {@link Main} registers only the one being run, because picocli builds each
 * command's model by reflection at start-up, and building all eleven cost more than the command itself.
 */
@Command(name = "taskscope",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Sidecar process monitor for containers that share a PID namespace (ECS pidMode=task).",
        footer = {"", "'taskscope help COMMAND' or 'man taskscope-COMMAND' for a command's usage; docs/ in the repository."})
public class TaskscopeCommand implements Callable<Integer> {
    /** Subcommands by name, in the order help lists them. A new command is one line here. */
    public static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("ps", PsCommand.class);
        m.put("ns", NsCommand.class);
        m.put("caps", CapsCommand.class);
        m.put("doctor", DoctorCommand.class);
        m.put("trace", TraceCommand.class);
        m.put("fs", FsCommand.class);
        m.put("env", EnvCommand.class);
        m.put("inspect", InspectCommand.class);
        m.put("taskdef", TaskdefCommand.class);
        m.put("agent", AgentCommand.class);
        m.put("health", HealthCommand.class);
        return Collections.unmodifiableMap(m);
    }

    /**
     * One line per command for the root's command list and the man pages' NAME lines (a command's description
     * can be a paragraph; the list shows this instead of cutting it). A new command adds its line here.
     */
    public static final Map<String, String> SUMMARIES = Map.ofEntries(
            Map.entry("ps", "List the task's processes, grouped into containers (like ps auxw)."),
            Map.entry("ns", "List the task's namespaces (like lsns), shared or not per container."),
            Map.entry("caps", "Show each process's capabilities and seccomp mode (like pscap)."),
            Map.entry("doctor", "Check that this container can see and trace its neighbours."),
            Map.entry("trace", "Trace syscalls of neighbour processes, like strace -p."),
            Map.entry("fs", "Read a neighbour's filesystem through /proc/PID/root, read-only."),
            Map.entry("env", "Show a neighbour's environment, from memory when procfs cannot."),
            Map.entry("inspect", "One page about a process: exe, namespaces, capabilities, fds."),
            Map.entry("taskdef", "Check an ECS task definition for taskscope and for Fargate."),
            Map.entry("agent", "Run the sidecar daemon: trace the task, JSON-lines events on stdout."),
            Map.entry("health", "Exit 0 when the agent answers and its tracer is alive (healthCheck)."),
            Map.entry("help", "Show a command's usage: taskscope help COMMAND."));

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Log diagnostics to stderr and show stack traces on failure.")
    boolean debug;

    /** Bare {@code taskscope}: the command list, as docker and kubectl print theirs. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.OK.code();
    }
}
