package io.taskscope.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.taskscope.TaskscopeException;
import io.taskscope.linux.NativeBoot;
import io.taskscope.text.Escape;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Entry point: builds the command line, maps failures to one line and an exit code. */
public final class Main {
    private Main() {}

    /** Whether this JVM is the taskscope command (main), not a host that calls {@link #run} (a test's fork). */
    private static volatile boolean ownProcess;

    public static boolean ownProcess() {
        return ownProcess;
    }

    public static void main(String[] args) {
        ownProcess = true;
        io.taskscope.StartupClock.mark("main");
        // JNA's start-up properties, before any command touches JNA; `trace` sets them on its preparing thread (run)
        if (!"trace".equals(requested(args))) NativeBoot.prepare();
        // stdout is buffered: a 2,000-line ps is a few writes, not 2,000. Commands that stream (trace,
        // fs watch, agent) flush when they mean to; everything else is flushed here, once.
        // UTF-8 whatever the locale: a JDK 17 without LANG would print every non-ASCII name as '?'.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(args, out, err);
        // ./taskscope's training run for the class-data archive: also load what `trace` needs before its first stop
        if (Boolean.getBoolean("taskscope.train")) io.taskscope.cli.commands.TraceWarmup.run();
        io.taskscope.StartupClock.print(System.err);
        if (stdoutAbandoned) {
            // A command gave up on a stdout that blocks (see abandonStdout): exit without touching it.
            err.flush();
            Runtime.getRuntime().halt(code);
        }
        out.flush();
        if (out.checkError() || System.out.checkError()) code = stdoutFailed(err, code);
        err.flush();
        System.exit(code);
    }

    /**
     * The exit code when writing to stdout failed (PrintWriter swallows the error). A pipe whose reader
     * left ('taskscope ps | head -1') ends quietly with 141, as a C tool killed by SIGPIPE; a full disk or
     * a closed stdout is an error worth a line.
     */
    static int stdoutFailed(PrintWriter err, int code) {
        String target = "";
        try {
            target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/1")).toString();
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // closed: fall through to the message
        }
        if (target.startsWith("pipe:")) return ExitCode.PIPE.code();
        err.println("taskscope: could not write the output to standard output (" + (target.isEmpty() ? "closed" : target)
                + "); it is incomplete; check the disk or the redirection");
        return code == ExitCode.OK.code() ? ExitCode.FAILURE.code() : code;
    }

    private static volatile boolean stdoutAbandoned;

    /**
     * Called by a command whose output thread is stuck writing to a stdout nobody reads, after it has
     * released everything it held (a tracer: every tracee detached): main then exits without flushing,
     * which would block on the same stream, and without shutdown hooks.
     */
    public static void abandonStdout() {
        stdoutAbandoned = true;
    }

    /** Runs one command with the given writers; tests call this instead of main. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        // Warnings and errors quote neighbours' names from many places: nothing reaches stderr raw.
        err = new PrintWriter(new io.taskscope.text.EscapingWriter(err), true);
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        if (debug) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
        }
        String only = requested(args);
        if ("trace".equals(only)) io.taskscope.cli.commands.TraceCommand.prepareInBackground(NativeBoot::prepare);
        CommandLine cl = commandLine(out, err, only);
        io.taskscope.StartupClock.mark("command line built");
        return cl.execute(args);
    }

    /** picocli's "did you mean" for a mistyped option or command, on the same line: "; did you mean '--container'?". */
    static String suggestion(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u)) return "";
        List<String> s = u.getSuggestions();
        if (s.isEmpty()) return "";
        List<String> top = s.subList(0, Math.min(3, s.size()));
        return "; did you mean '" + String.join("' or '", top) + "'?";
    }

    /**
     * The subcommand named by the first argument that is not a root option, when it is one. The
     * root's options (--debug, --help, --version) take no value, so the first word is the command.
     */
    static String requested(String[] args) {
        boolean version = false;
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) return null;
            version |= a.equals("-V") || a.equals("--version");
            if (a.startsWith("-")) continue;
            return TaskscopeCommand.SUBCOMMANDS.containsKey(a) ? a : null; // 'help' and mistakes: all of them
        }
        // --version alone needs no subcommand at all; anything else (an error, help) lists them all.
        return version ? "" : null;
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /** The command line with every subcommand, or only {@code only} (faster start: see TaskscopeCommand). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, String only) {
        CommandLine cl = new CommandLine(new TaskscopeCommand());
        for (var e : TaskscopeCommand.SUBCOMMANDS.entrySet()) {
            if (only == null || only.equals(e.getKey())) cl.addSubcommand(e.getKey(), e.getValue());
        }
        if (only == null) cl.addSubcommand("help", new CommandLine.HelpCommand());
        CliConventions.apply(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("taskscope: " + Escape.controls(ex.getMessage() + suggestion(ex)) + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            boolean debug = parseResult.originalArgs().contains("--debug");
            PrintWriter e = c.getErr();
            if (ex instanceof TaskscopeException t) {
                e.println("taskscope: " + Escape.controls(t.oneLine()));
                if (debug) t.printStackTrace(e);
                e.flush();
                return t.kind() == TaskscopeException.Kind.USAGE ? ExitCode.USAGE.code() : ExitCode.FAILURE.code();
            }
            e.println("taskscope: internal error: " + Escape.controls(String.valueOf(ex)) + (debug ? "" : " (run again with --debug for the stack trace, and please report it)"));
            if (debug) ex.printStackTrace(e);
            e.flush();
            return ExitCode.INTERNAL.code();
        });
        return cl;
    }
}
