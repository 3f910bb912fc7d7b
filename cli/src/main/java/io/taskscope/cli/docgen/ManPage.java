package io.taskscope.cli.docgen;

import io.taskscope.cli.CliConventions;
import io.taskscope.cli.ExitCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One man page (roff, man(7) macros) from picocli's model of a command: NAME, SYNOPSIS, DESCRIPTION, ARGUMENTS,
 * OPTIONS, COMMANDS, the command's footer, EXIT STATUS, SEE ALSO. picocli-codegen's ManPageGenerator writes
 * AsciiDoc, which needs asciidoctor (a Ruby toolchain, in the build and in the image's build stage) to become a
 * page man(1) reads; the model is the same, so the roff is written from it directly.
 */
final class ManPage {
    private ManPage() {}

    /** "taskscope", "taskscope-trace", "taskscope-fs-ls". */
    static String fileName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName("-");
    }

    static String of(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        Help help = cl.getHelpFactory().create(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        String name = fileName(cl);
        StringBuilder b = new StringBuilder();
        b.append(".\\\" Generated at build time from the picocli model (cli/.../docgen); do not edit.\n");
        b.append(".TH \"").append(name.toUpperCase()).append("\" \"1\" \"\" \"taskscope\" \"taskscope manual\"\n");
        b.append(".SH NAME\n").append(text(name)).append(" \\- ").append(text(summary(cl))).append('\n');

        b.append(".SH SYNOPSIS\n.nf\n");
        for (String line : help.synopsis(0).replace(CliConventions.NBSP, ' ').split("\n")) {
            String l = line.stripTrailing();
            if (l.startsWith("Usage: ")) l = l.substring("Usage: ".length());
            if (!l.isBlank()) b.append(text(l)).append('\n');
        }
        b.append(".fi\n");

        String[] description = spec.usageMessage().description();
        if (description.length > 0) {
            b.append(".SH DESCRIPTION\n");
            paragraphs(b, description);
        }

        List<PositionalParamSpec> positionals = new ArrayList<>();
        for (PositionalParamSpec p : spec.positionalParameters()) if (!p.hidden()) positionals.add(p);
        if (!positionals.isEmpty()) {
            b.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : positionals) {
                b.append(".TP\n\\fI").append(text(p.paramLabel())).append("\\fR\n");
                paragraphs(b, p.description());
            }
        }

        List<OptionSpec> options = new ArrayList<>();
        for (OptionSpec o : spec.options()) if (!o.hidden()) options.add(o);
        options.sort(CliConventionsAccess.ORDER);
        if (!options.isEmpty()) {
            b.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                b.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) names.add("\\fB" + text(n).replace("-", "\\-") + "\\fR");
                b.append(String.join(", ", names));
                if (o.arity().max > 0) b.append(" \\fI").append(text(o.paramLabel())).append("\\fR");
                b.append('\n');
                paragraphs(b, o.description());
            }
        }

        Map<String, CommandLine> subs = cl.getSubcommands();
        if (!subs.isEmpty()) {
            b.append(".SH COMMANDS\n");
            for (Map.Entry<String, CommandLine> e : subs.entrySet()) {
                b.append(".TP\n\\fB").append(text(e.getKey())).append("\\fR\n");
                b.append(text(summary(e.getValue()))).append('\n');
                if (!(e.getValue().getCommandSpec().userObject() instanceof CommandLine.HelpCommand)) {
                    b.append("See \\fB").append(text(fileName(e.getValue()))).append("\\fR(1).\n");
                }
            }
        }

        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0 && !(footer.length == 1 && footer[0].isBlank())) {
            b.append(".SH NOTES\n");
            paragraphs(b, footer);
        }

        b.append(".SH EXIT STATUS\n");
        for (ExitCode c : ExitCode.values()) {
            b.append(".TP\n\\fB").append(c.code()).append("\\fR\n").append(text(c.meaning())).append('\n');
        }

        b.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        if (spec.parent() != null) see.add("\\fB" + text(spec.parent().qualifiedName("-")) + "\\fR(1)");
        for (CommandLine s : subs.values()) {
            if (!(s.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)) see.add("\\fB" + text(fileName(s)) + "\\fR(1)");
        }
        see.add("\\fBstrace\\fR(1)");
        see.add("\\fBps\\fR(1)");
        b.append(String.join(", ", see)).append("\n.PP\nThe repository's docs/ directory: docs/json.md for every \\-\\-json, docs/cli.md for the conventions.\n");
        return b.toString();
    }

    private static String summary(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.parent() == null) {
            String[] d = spec.usageMessage().description();
            return d.length == 0 ? "" : strip(d[0]);
        }
        return strip(CliConventions.summary(spec.name(), spec));
    }

    /** Description lines: picocli's %n is a line break, an empty line a new paragraph. */
    private static void paragraphs(StringBuilder b, String[] lines) {
        boolean start = true;
        for (String raw : lines) {
            for (String line : raw.replace("%n", "\n").replace("%%", "%").split("\n", -1)) {
                if (line.isBlank()) {
                    if (!start) b.append(".PP\n");
                    start = true;
                    continue;
                }
                if (!start) b.append(".br\n");
                b.append(text(line.strip())).append('\n');
                start = false;
            }
        }
    }

    private static String strip(String s) {
        return s.replace("%n", " ").replace("%%", "%").strip();
    }

    /** Text as roff reads it: backslashes doubled, a leading '.' or '\'' protected. */
    static String text(String s) {
        String t = s.replace("\\", "\\e");
        if (t.startsWith(".") || t.startsWith("'")) t = "\\&" + t;
        return t;
    }

    /** Access to the option order the help uses, so the page lists options as --help does. */
    private static final class CliConventionsAccess {
        static final java.util.Comparator<OptionSpec> ORDER = CliConventions.optionOrder();
    }
}
