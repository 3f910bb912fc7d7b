package io.taskscope.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.TaskscopeException;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.taskdef.Finding;
import io.taskscope.taskdef.LintReport;
import io.taskscope.taskdef.TaskDefinitionLinter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "taskdef", mixinStandardHelpOptions = true,
        description = "Check an ECS task definition for what taskscope needs.",
        subcommands = TaskdefCommand.Lint.class)
public class TaskdefCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: lint");
    }

    @Command(name = "lint", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Check a task definition for what taskscope needs and what Fargate accepts: "
                    + "pidMode task, SYS_PTRACE on taskscope's container and no other capability, that container "
                    + "started last (ECS Exec reaches only the last one), not essential, with a writable root "
                    + "and complete awslogs options; awsvpc; a Fargate cpu/memory pair.",
                    "Each finding names its JSON path and the fix. Exit 3 if there is an error; warnings alone exit 0."})
    public static class Lint implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        JsonOption json;

        @Option(names = "--monitor", paramLabel = "NAME",
                description = "taskscope's container (default: the one that adds SYS_PTRACE).")
        String monitor;

        @Parameters(index = "0", paramLabel = "FILE",
                description = "The task definition (register-task-definition's JSON, or describe-task-definition's "
                        + "output); - reads standard input.")
        String file;

        @Override
        public Integer call() {
            byte[] text = read(file);
            LintReport report = new TaskDefinitionLinter(Optional.ofNullable(monitor)).lint(file, text);
            if (monitor != null && report.monitor().isEmpty()) {
                // A --monitor that names no container is a mistake in the command line, not in the file.
                report.findings().stream().filter(f -> f.rule().equals("monitor")).findFirst().ifPresent(f -> {
                    throw TaskscopeException.usage(f.message() + " in " + file, f.fix());
                });
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json.json) {
                out.println(toJson(report).toPrettyString());
            } else {
                printText(report, out);
            }
            out.flush();
            return report.errors() > 0 ? ExitCode.FOUND.code() : ExitCode.OK.code();
        }

        /** ECS accepts task definitions of at most 64 KiB; describe-task-definition adds little. Reads stop here. */
        static final int MAX_BYTES = 1 << 20;

        private static byte[] read(String file) {
            try (java.io.InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
                byte[] b = in.readNBytes(MAX_BYTES + 1); // bounded: /dev/zero or a log file must not fill the heap
                if (b.length > MAX_BYTES) {
                    throw TaskscopeException.usage(("-".equals(file) ? "standard input" : file) + " is larger than "
                            + (MAX_BYTES >> 20) + " MiB; a task definition is at most 64 KiB",
                            "give the task definition's JSON file (e.g. aws ecs describe-task-definition output)");
                }
                return b;
            } catch (NoSuchFileException e) {
                throw TaskscopeException.usage("no file " + file, "give the path of a task definition (JSON)");
            } catch (AccessDeniedException e) {
                throw TaskscopeException.usage("cannot read " + file + ": permission denied", "check its permissions");
            } catch (IOException e) {
                throw TaskscopeException.usage("cannot read " + file + ": " + e.getMessage(),
                        "give the path of a task definition (JSON)");
            }
        }

        static void printText(LintReport r, PrintWriter out) {
            for (Finding f : r.findings()) {
                out.printf("%-7s %s: %s [%s]%n", f.severity().label(), f.path(), f.message(), f.rule());
                out.printf("%-7s fix: %s%n", "", f.fix());
            }
            String monitor = r.monitor().map(m -> "taskscope's container: " + m).orElse("no taskscope container found");
            if (r.findings().isEmpty()) {
                out.printf("%s: ok (%s)%n", r.source(), monitor);
            } else {
                out.printf("%s: %d error%s, %d warning%s (%s)%n", r.source(), r.errors(), r.errors() == 1 ? "" : "s",
                        r.warnings(), r.warnings() == 1 ? "" : "s", monitor);
            }
        }

        static ObjectNode toJson(LintReport r) {
            ObjectMapper m = io.taskscope.text.Escape.jsonMapper();
            ObjectNode root = m.createObjectNode();
            root.put("file", r.source());
            if (r.monitor().isPresent()) root.put("monitor", r.monitor().get()); else root.putNull("monitor");
            root.put("errors", r.errors());
            root.put("warnings", r.warnings());
            ArrayNode findings = root.putArray("findings");
            for (Finding f : r.findings()) {
                ObjectNode o = findings.addObject();
                o.put("severity", f.severity().label());
                o.put("rule", f.rule());
                o.put("path", f.path());
                if (f.container().isPresent()) o.put("container", f.container().get()); else o.putNull("container");
                o.put("message", f.message());
                o.put("fix", f.fix());
            }
            return root;
        }
    }
}
