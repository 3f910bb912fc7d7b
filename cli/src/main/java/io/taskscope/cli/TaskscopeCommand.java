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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command. Each subcommand is one class under {@code commands}. */
@Command(name = "taskscope",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Sidecar process monitor for containers that share a PID namespace (ECS pidMode=task).",
        subcommands = {PsCommand.class, NsCommand.class, CapsCommand.class, DoctorCommand.class,
                TraceCommand.class, FsCommand.class, EnvCommand.class, InspectCommand.class,
                TaskdefCommand.class, AgentCommand.class, HealthCommand.class})
public class TaskscopeCommand implements Runnable {
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
