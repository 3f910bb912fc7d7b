package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "env", mixinStandardHelpOptions = true, description = "Show a neighbour's environment, recovered when procfs cannot.")
public class EnvCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'env' is not implemented yet", "see the project's open issues");
    }
}
