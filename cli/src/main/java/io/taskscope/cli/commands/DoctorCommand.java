package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "doctor", mixinStandardHelpOptions = true, description = "Check that this container can see and trace its neighbours.")
public class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw TaskscopeException.runtime("'doctor' is not implemented yet", "see the project's open issues");
    }
}
