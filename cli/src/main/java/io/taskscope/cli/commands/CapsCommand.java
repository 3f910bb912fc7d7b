package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "caps", mixinStandardHelpOptions = true, description = "Capabilities, NoNewPrivs and seccomp of every process (like pscap).")
public class CapsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'caps' is not implemented yet", "see the project's open issues");
    }
}
