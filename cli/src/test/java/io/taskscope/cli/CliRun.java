package io.taskscope.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs one taskscope command in-process, as Main would, capturing stdout, stderr and the exit code. */
public final class CliRun {
    private CliRun() {}

    public record Result(int code, String out, String err) {}

    public static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
