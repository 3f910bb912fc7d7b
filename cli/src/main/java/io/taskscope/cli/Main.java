package io.taskscope.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.taskscope.TaskscopeException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Entry point: builds the command line, maps failures to one line and an exit code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command with the given writers; tests call this instead of main. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        if (debug) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
        }
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new TaskscopeCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("taskscope: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            boolean debug = parseResult.originalArgs().contains("--debug");
            PrintWriter e = c.getErr();
            if (ex instanceof TaskscopeException t) {
                e.println("taskscope: " + t.oneLine());
                if (debug) t.printStackTrace(e);
                e.flush();
                return t.kind() == TaskscopeException.Kind.USAGE ? ExitCode.USAGE.code() : ExitCode.FAILURE.code();
            }
            e.println("taskscope: internal error: " + ex + (debug ? "" : " (run again with --debug for the stack trace, and please report it)"));
            if (debug) ex.printStackTrace(e);
            e.flush();
            return ExitCode.INTERNAL.code();
        });
        return cl;
    }
}
