package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "taskdef", mixinStandardHelpOptions = true, description = "Check an ECS task definition for what taskscope needs.")
public class TaskdefCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'taskdef' is not implemented yet", "see the project's open issues");
    }
}
