package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "trace", mixinStandardHelpOptions = true, description = "Trace syscalls of neighbour processes (like strace -p).")
public class TraceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'trace' is not implemented yet", "see the project's open issues");
    }
}
