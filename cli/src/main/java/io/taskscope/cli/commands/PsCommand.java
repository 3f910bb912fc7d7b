package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "ps", mixinStandardHelpOptions = true, description = "List the task's processes, grouped into containers (like ps auxw).")
public class PsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'ps' is not implemented yet", "see the project's open issues");
    }
}
