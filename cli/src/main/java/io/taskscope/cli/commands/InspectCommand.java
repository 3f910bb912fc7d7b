package io.taskscope.cli.commands;

import io.taskscope.cli.ExitCode;
import io.taskscope.inspect.InspectText;
import io.taskscope.inspect.Inspector;
import io.taskscope.inspect.ProcessReport;
import io.taskscope.task.Targets;
import io.taskscope.task.Task;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import io.taskscope.cli.JsonOption;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"One page about a process: command line, exe, cwd, root, user, container, namespaces, capabilities,",
                "cgroup, limits, open file descriptors decoded (files, pipes, sockets with addresses, anon inodes), listening sockets."})
public class InspectCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin JsonOption json;

    @Parameters(paramLabel = "TARGET", description = "PID or container name.")
    String target;

    @Option(names = "--show-secrets", description = "Show secrets in the command line (--password X, mysql -pX, URL "
            + "passwords, tokens) instead of <redacted> (see docs/security.md).")
    boolean showSecrets;

    @Override
    public Integer call() {
        Task task = Task.snapshot();
        ProcessReport report = Inspector.inspect(task, Targets.resolve(task, target).pid());
        if (!showSecrets) report = report.withCmdline(io.taskscope.env.Redaction.commandLine(report.cmdline()));
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) out.println(FsCommand.json(report));
        else InspectText.lines(report).forEach(out::println);
        return ExitCode.OK.code();
    }
}
