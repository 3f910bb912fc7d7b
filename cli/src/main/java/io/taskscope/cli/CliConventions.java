package io.taskscope.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.Ansi.IStyle;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.IParamLabelRenderer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * What every command's help looks like, applied once to the whole command tree (so a command class declares its
 * own options and nothing of this): options shown with a space before their value ({@code -e EXPR}, as strace and
 * ps document them; {@code -e=EXPR} and {@code -eEXPR} still parse), the command's own options first in their
 * declared order and the common ones last in one order ({@code --json}, {@code -h}, {@code --debug}), {@code
 * --version} on the root only, the exit codes at the end of every help, and one line per command in the root's
 * list.
 */
public final class CliConventions {
    private CliConventions() {}

    /** Common options, shown last in this order in every command. */
    private static final List<String> COMMON = List.of("--json", "--help", "--version", "--debug");

    /** Applies the conventions to {@code root} and every subcommand registered on it. Cheap: no reflection. */
    public static void apply(CommandLine root) {
        root.setHelpFactory(SpacedHelp::new);
        each(root, true);
    }

    private static void each(CommandLine cl, boolean isRoot) {
        CommandSpec spec = cl.getCommandSpec();
        if (!isRoot) {
            OptionSpec version = spec.findOption("--version");
            if (version != null) spec.remove(version);
        }
        UsageMessageSpec usage = spec.usageMessage();
        usage.exitCodeListHeading("%nExit codes:%n");
        usage.exitCodeList(exitCodes());
        usage.sectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, CliConventions::optionList);
        usage.sectionMap().put(UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                help -> help.synopsis(help.synopsisHeadingLength()).replace(NBSP, ' '));
        usage.sectionMap().put(UsageMessageSpec.SECTION_KEY_FOOTER, CliConventions::footer);
        if (isRoot) usage.sectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, CliConventions::commandList);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().parent() == spec) each(sub, false); // aliases map to the same command once
        }
    }

    static final int WIDTH = 80;
    /**
     * Between an option and its value in the synopsis: picocli wraps the synopsis at spaces and would split
     * "-e EXPR" over two lines; a no-break space keeps them together and becomes a space once wrapped.
     */
    public static final char NBSP = '\u00a0';
    private static final int MAX_LEFT = 28;

    /**
     * The option list, rendered here rather than by picocli's layout: values after a space ({@code -e EXPR}, as
     * strace shows it; picocli aligns a short-only option's value under the long names), descriptions wrapped at
     * spaces only (picocli's line breaking splits "%cpu" after the '%' and "agent.sock" after the '.'), each
     * description line starting a new line, continuations indented.
     */
    static String optionList(Help help) {
        List<OptionSpec> options = new ArrayList<>();
        for (OptionSpec o : help.commandSpec().options()) if (!o.hidden()) options.add(o);
        options.sort(OPTION_ORDER);
        IParamLabelRenderer labels = help.parameterLabelRenderer();
        List<String> lefts = new ArrayList<>();
        int col = 0;
        for (OptionSpec o : options) {
            String left = left(o, labels.renderParameterLabel(o, Ansi.OFF, List.of()).plainString().replace(NBSP, ' '));
            lefts.add(left);
            if (left.length() <= MAX_LEFT) col = Math.max(col, left.length());
        }
        col += 2;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < options.size(); i++) {
            String left = lefts.get(i);
            List<String> lines = wrap(descriptionLines(options.get(i).description()), WIDTH - col, 2);
            if (left.length() > col - 2 || lines.isEmpty()) {
                b.append(left).append(System.lineSeparator());
            } else {
                b.append(left).append(" ".repeat(col - left.length())).append(lines.remove(0)).append(System.lineSeparator());
            }
            for (String l : lines) b.append(" ".repeat(col)).append(l).append(System.lineSeparator());
        }
        return b.toString();
    }

    /**
     * The footer (environment variables, examples), wrapped at spaces; a continuation starts under the text of a
     * "  NAME   text" row, or under its own line's indentation (picocli wrapped these to column 0).
     */
    static String footer(Help help) {
        StringBuilder b = new StringBuilder();
        for (String line : descriptionLines(help.commandSpec().usageMessage().footer())) {
            int indent = continuationIndent(line);
            String first = line;
            List<String> wrapped = wrap(List.of(first), WIDTH, indent);
            for (String l : wrapped) b.append(l).append(System.lineSeparator());
        }
        return b.toString();
    }

    static int continuationIndent(String line) {
        int lead = 0;
        while (lead < line.length() && line.charAt(lead) == ' ') lead++;
        int gap = line.indexOf("  ", lead);
        if (gap > lead) {
            int text = gap;
            while (text < line.length() && line.charAt(text) == ' ') text++;
            if (text < line.length() && text < WIDTH / 2) return text;
        }
        return lead + 2;
    }

    private static String left(OptionSpec o, String label) {
        String shortName = null;
        List<String> longNames = new ArrayList<>();
        for (String n : o.names()) {
            if (n.length() == 2 && shortName == null) shortName = n;
            else longNames.add(n);
        }
        String names = longNames.isEmpty() ? "  " + shortName
                : (shortName == null ? "      " : "  " + shortName + ", ") + String.join(", ", longNames);
        return names + label;
    }

    /** An option's or a command's description as lines: picocli's %n breaks a line; %% is a percent sign. */
    static List<String> descriptionLines(String[] description) {
        List<String> out = new ArrayList<>();
        for (String d : description) {
            for (String l : d.replace("%n", "\n").replace("%%", "%").split("\n", -1)) out.add(l);
        }
        return out;
    }

    /** Wraps each line at spaces to {@code width}; a continuation is indented by {@code indent}. */
    static List<String> wrap(List<String> lines, int width, int indent) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String rest = line.stripTrailing();
            String pad = "";
            while (pad.length() + rest.length() > width) {
                int room = width - pad.length();
                int cut = rest.lastIndexOf(' ', room);
                if (cut <= 0) cut = rest.indexOf(' ', room); // a word longer than the room: let it overflow
                if (cut <= 0) break;
                out.add(pad + rest.substring(0, cut).stripTrailing());
                rest = rest.substring(cut + 1).stripLeading();
                pad = " ".repeat(indent);
            }
            out.add(pad + rest);
        }
        return out;
    }

    private static Map<String, String> exitCodes() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) m.put(Integer.toString(c.code()), c.meaning());
        return m;
    }

    /** The command's own options keep their declared order; the common ones follow, always in the same order. */
    static final Comparator<OptionSpec> OPTION_ORDER = Comparator.comparingInt(CliConventions::rank);

    /** The order options are listed in (help and man pages). */
    public static Comparator<OptionSpec> optionOrder() {
        return OPTION_ORDER;
    }

    private static int rank(OptionSpec o) {
        int i = COMMON.indexOf(o.longestName());
        return i < 0 ? 0 : 1 + i;
    }

    /** The root's command list: one line each, the summary from {@link TaskscopeCommand#SUMMARIES}. */
    private static String commandList(Help help) {
        Map<String, Help> subs = help.subcommands();
        if (subs.isEmpty()) return "";
        int width = 0;
        for (String name : subs.keySet()) width = Math.max(width, name.length());
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Help> e : subs.entrySet()) {
            String name = e.getKey();
            b.append("  ").append(name).append(" ".repeat(width - name.length() + 2))
                    .append(summary(name, e.getValue().commandSpec())).append(System.lineSeparator());
        }
        return b.toString();
    }

    /** A command's one-line summary: {@link TaskscopeCommand#SUMMARIES}, else its description's first sentence. */
    public static String summary(String name, CommandSpec spec) {
        String s = TaskscopeCommand.SUMMARIES.get(name);
        if (s != null) return s;
        String[] d = spec.usageMessage().description();
        if (d.length == 0) return "";
        String first = String.join(" ", d);
        int dot = first.indexOf(". ");
        return dot < 0 ? first : first.substring(0, dot + 1);
    }

    /** Help whose option values are shown after a space, the way strace(1) and ps(1) show theirs. */
    static final class SpacedHelp extends Help {
        SpacedHelp(CommandSpec spec, Help.ColorScheme scheme) {
            super(spec, scheme);
        }

        private IParamLabelRenderer spaced;

        /** The synopsis's renderer: {@code -e EXPR}, {@code --container NAME}. */
        @Override
        public IParamLabelRenderer parameterLabelRenderer() {
            if (spaced == null) spaced = renderer(super.parameterLabelRenderer());
            return spaced;
        }

        private static IParamLabelRenderer renderer(IParamLabelRenderer d) {
            return new IParamLabelRenderer() {
                @Override
                public Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<IStyle> styles) {
                    Text t = d.renderParameterLabel(arg, ansi, styles);
                    // "=VALUE" becomes " VALUE"; an optional value ("[=VALUE]") keeps its '=': only attached works.
                    if (!arg.isOption() || !t.plainString().startsWith("=")) return t;
                    return ansi.new Text(String.valueOf(NBSP)).concat(t.substring(1));
                }

                @Override
                public String separator() {
                    return "";
                }
            };
        }
    }

    /** Every command line of the tree, root first (for tests and the build-time docs). */
    public static List<CommandLine> all(CommandLine root) {
        List<CommandLine> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().parent() == cl.getCommandSpec() && !out.contains(sub)) collect(sub, out);
        }
    }
}
