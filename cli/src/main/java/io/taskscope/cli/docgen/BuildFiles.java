package io.taskscope.cli.docgen;

import io.taskscope.cli.CliConventions;
import io.taskscope.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Runs at build time (cli/pom.xml, exec-maven-plugin at process-classes), never at run time, so nothing here costs
 * a start-up: writes the man pages (taskscope.1 and one page per command, {@link ManPage}), bash and zsh completion
 * (picocli's {@link AutoComplete}) and build.properties (the commit, for {@code --version}). Not in the shaded jar.
 *
 * <p>Arguments: the classes directory, the output directory (man/, completion/ are made in it), the repository.
 */
public final class BuildFiles {
    private BuildFiles() {}

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path repo = Path.of(args[2]);
        CommandLine root = full();

        Path man = Files.createDirectories(out.resolve("man"));
        int pages = 0;
        for (CommandLine cl : CliConventions.all(root)) {
            if (cl.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) continue;
            Files.writeString(man.resolve(ManPage.fileName(cl) + ".1"), ManPage.of(cl), StandardCharsets.UTF_8);
            pages++;
        }

        Path completion = Files.createDirectories(out.resolve("completion"));
        String bash = AutoComplete.bash("taskscope", root);
        Files.writeString(completion.resolve("taskscope.bash"), bash, StandardCharsets.UTF_8);
        // picocli's script completes in zsh too once bashcompinit is loaded (it loads it itself when sourced by zsh).
        Files.writeString(completion.resolve("taskscope.zsh"),
                "# taskscope completion for zsh: source this file from ~/.zshrc (it loads bashcompinit)\n" + bash,
                StandardCharsets.UTF_8);

        Path props = classes.resolve("io/taskscope/cli/build.properties");
        Files.createDirectories(props.getParent());
        Files.writeString(props, "commit=" + GitCommit.of(repo) + "\n", StandardCharsets.UTF_8);
        System.out.println("taskscope docgen: " + pages + " man pages in " + man + ", completion in " + completion
                + ", commit " + GitCommit.of(repo));
    }

    /** The command line with every command, as help shows it. */
    public static CommandLine full() {
        StringWriter sink = new StringWriter();
        return Main.commandLine(new PrintWriter(sink), new PrintWriter(sink), null);
    }

    /** Every man page's file name, root first (tests check the set). */
    public static List<String> pageNames(CommandLine root) {
        return CliConventions.all(root).stream()
                .filter(cl -> !(cl.getCommandSpec().userObject() instanceof CommandLine.HelpCommand))
                .map(ManPage::fileName).toList();
    }
}
