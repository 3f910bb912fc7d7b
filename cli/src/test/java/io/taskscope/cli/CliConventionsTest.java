package io.taskscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.cli.CliRun.Result;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What a user of strace, ps and git expects from the command line itself (issue 14). */
class CliConventionsTest {
    static List<CommandLine> everyCommand() {
        StringWriter sink = new StringWriter();
        return CliConventions.all(Main.commandLine(new PrintWriter(sink), new PrintWriter(sink), null));
    }

    @Test
    void bareTaskscopeListsEveryCommand() {
        Result r = CliRun.run();
        assertEquals(0, r.code(), r.err());
        for (String name : TaskscopeCommand.SUBCOMMANDS.keySet()) {
            assertTrue(r.out().contains("\n  " + name + " "), name + " missing from:\n" + r.out());
        }
        assertFalse(r.err().contains("a command is required"), r.err());
    }

    @Test
    void helpCommandShowsACommandsUsage() {
        Result r = CliRun.run("help", "trace");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: taskscope trace"), r.out());
        Result root = CliRun.run("help");
        assertEquals(0, root.code());
        assertTrue(root.out().contains("Commands:"), root.out());
    }

    @Test
    void rootCommandListIsOneLineEachAndNeverCut() {
        String out = CliRun.run("--help").out();
        String list = out.substring(out.indexOf("Commands:"), out.indexOf("Exit codes:"));
        for (String line : list.strip().lines().skip(1).toList()) {
            assertTrue(line.startsWith("  ") && !line.startsWith("   "), "continuation line in the command list: " + line);
            assertTrue(line.endsWith("."), "cut mid-sentence: " + line);
        }
        for (String name : TaskscopeCommand.SUBCOMMANDS.keySet()) {
            assertNotNull(TaskscopeCommand.SUMMARIES.get(name), "no summary for " + name);
        }
    }

    @Test
    void mistypedOptionOrCommandSuggestsTheRightOneOnOneLine() {
        Result r = CliRun.run("ps", "--contianer", "x");
        assertEquals(ExitCode.USAGE.code(), r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("did you mean '--container'?"), r.err());
        Result c = CliRun.run("tarce");
        assertEquals(ExitCode.USAGE.code(), c.code());
        assertTrue(c.err().contains("did you mean 'trace'"), c.err());
    }

    @Test
    void versionSaysCommitJdkArchitectureAndKernel() {
        Result r = CliRun.run("--version");
        assertEquals(0, r.code());
        for (String field : List.of("taskscope ", "commit:", "jdk:", "arch:", "kernel:")) {
            assertTrue(r.out().contains(field), field + " missing: " + r.out());
        }
        assertTrue(r.out().contains(System.getProperty("os.arch")), r.out());
    }

    @Test
    void versionIsAnOptionOfTheRootOnly() {
        for (CommandLine cl : everyCommand()) {
            boolean root = cl.getCommandSpec().parent() == null;
            assertEquals(root, cl.getCommandSpec().findOption("--version") != null, cl.getCommandSpec().qualifiedName());
        }
        assertEquals(ExitCode.USAGE.code(), CliRun.run("ps", "--version").code());
    }

    @Test
    void optionValuesAreShownAfterASpaceAsStraceShowsThem() {
        String help = CliRun.run("help", "trace").out();
        assertTrue(help.contains("[-e EXPR]"), help);
        assertTrue(help.contains("\n  -e EXPR "), help);
        assertTrue(help.contains("\n  -s N "), help);
        assertFalse(help.contains("-e=EXPR"), help);
        // the old attached forms still parse
        assertEquals(ExitCode.USAGE.code(), CliRun.run("trace", "-s=x", "-p", "1").code());
    }

    @Test
    void everyHelpEndsWithTheExitCodesAndWrapsAtSpacesOnly() {
        for (CommandLine cl : everyCommand()) {
            StringWriter w = new StringWriter();
            cl.usage(new PrintWriter(w));
            String help = w.toString();
            String name = cl.getCommandSpec().qualifiedName();
            assertTrue(help.contains("Exit codes:\n") && help.contains("  3 "), name + ":\n" + help);
            assertFalse(help.contains("%\n") || help.contains(" %\n"), name + " wraps after a '%':\n" + help);
            for (String line : help.lines().toList()) {
                assertTrue(line.length() <= CliConventions.WIDTH || !line.strip().contains(" "), name + ": too long: " + line);
            }
        }
    }

    @Test
    void commonOptionsComeLastInTheSameOrderEverywhere() {
        for (CommandLine cl : everyCommand()) {
            StringWriter w = new StringWriter();
            cl.usage(new PrintWriter(w));
            String help = w.toString();
            int json = help.indexOf("      --json "), h = help.indexOf("  -h, --help "), debug = help.indexOf("      --debug ");
            String name = cl.getCommandSpec().qualifiedName();
            assertTrue(h > 0 && debug > h, name + ":\n" + help);
            if (json > 0) assertTrue(json < h, name + ": --json after --help");
        }
    }

    @Test
    void agentFooterContinuationsAreIndented() {
        String help = CliRun.run("agent", "--help").out();
        String env = help.substring(help.indexOf("Environment:"));
        for (String line : env.lines().skip(1).toList()) {
            if (!line.isBlank()) assertTrue(line.startsWith("  "), "continuation at column 0: " + line);
        }
    }
}
