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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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
        description = "Sidecar process monitor for containers that share a PID namespace (ECS pidMode=task).")
public class TaskscopeCommand implements Runnable {
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

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Log diagnostics to stderr and show stack traces on failure.")
    boolean debug;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }
}
