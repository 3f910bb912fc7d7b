package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "fs", mixinStandardHelpOptions = true, description = "Read a neighbour's filesystem through /proc/PID/root, read-only.")
public class FsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'fs' is not implemented yet", "see the project's open issues");
    }
}
