package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "health", mixinStandardHelpOptions = true, description = "Exit 0 when the agent is up (for the task's healthCheck).")
public class HealthCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'health' is not implemented yet", "see the project's open issues");
    }
}
