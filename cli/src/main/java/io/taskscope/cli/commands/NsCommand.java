package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "ns", mixinStandardHelpOptions = true, description = "Namespaces of every process and container, shared or separate from ours (like lsns).")
public class NsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'ns' is not implemented yet", "see the project's open issues");
    }
}
