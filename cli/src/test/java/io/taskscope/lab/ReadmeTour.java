package io.taskscope.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The README's tour (between {@code <!-- tour:begin -->} and {@code <!-- tour:end -->}, written by
 * scripts/readme-tour.sh from images/lab/demo.sh) as commands and their output, and its SHAPE: what stays when PIDs,
 * times, sizes, addresses and counts change. Two tours have the same shape when they ran the same commands (numbers
 * aside) and each command printed the same kinds of lines: ps the same header, containers and programs; the others
 * the same distinct lines once numbers, hex addresses, column padding and environment values are normalised (so a
 * third nginx worker or a second php-fpm worker's trace lines do not count, a new column, message or syscall does).
 */
final class ReadmeTour {
    static final String REGENERATE = "README.md's tour no longer matches what the commands print: run "
            + "'sudo bash scripts/readme-tour.sh' (it replays images/lab/demo.sh in the lab and rewrites the block), "
            + "review the diff and commit it";

    /** One "$ command" of the tour and the lines it printed, in order. */
    record Step(String command, List<String> output) {}

    private ReadmeTour() {}

    /** The README's tour block, from a checkout. */
    static List<Step> ofReadme(Path readme) throws IOException {
        String text = Files.readString(readme);
        int b = text.indexOf("<!-- tour:begin -->");
        int e = text.indexOf("<!-- tour:end -->");
        if (b < 0 || e < b) throw new AssertionError(readme + " has no <!-- tour:begin --> ... <!-- tour:end --> block; " + REGENERATE);
        List<String> lines = new ArrayList<>(text.substring(b, e).lines().skip(1).toList());
        lines.removeIf(l -> l.startsWith("```"));
        return parse(lines);
    }

    /** Lines as demo.sh prints them: "== step" headers, "$ command" lines, output. */
    static List<Step> parse(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        String command = null;
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("== ") || l.startsWith("$ ")) {
                if (command != null) steps.add(new Step(command, List.copyOf(out)));
                command = l.startsWith("$ ") ? l.substring(2) : null;
                out.clear();
            } else if (command != null && !l.isBlank()) {
                out.add(cut(l));
            }
        }
        if (command != null) steps.add(new Step(command, List.copyOf(out)));
        return steps;
    }

    /** scripts/readme-tour.sh's cut of long lines. */
    static String cut(String l) {
        return l.length() <= 170 ? l : l.substring(0, 167) + "...";
    }

    static String numbersOut(String s) {
        return s.replaceAll("0x[0-9a-fA-F]+", "0xH").replaceAll("\\d+", "N").replaceAll("\\s+", " ").strip();
    }

    /** What one step's output must keep: for ps its header and (container, program) pairs, else its normalised lines. */
    static Set<String> shape(Step s) {
        Set<String> shape = new TreeSet<>();
        if (s.command().matches("taskscope ps( .*)?") && !s.output().isEmpty()) {
            String header = s.output().get(0);
            shape.add("header: " + header.replaceAll("\\s+", " ").strip());
            int c = header.indexOf("CONTAINER");
            int p = header.indexOf("COMMAND");
            for (String row : s.output().subList(1, s.output().size())) {
                if (c < 0 || p < c || row.length() <= p) {
                    shape.add("row: " + numbersOut(row));
                    continue;
                }
                String program = row.substring(p).strip().split("\\s+")[0];
                program = program.substring(program.lastIndexOf('/') + 1).replaceAll("\\d+", "N");
                shape.add("container: " + row.substring(c, p).strip() + " runs " + program);
            }
            return shape;
        }
        for (String l : s.output()) {
            // a signal some other process happened to send (a Go runtime's SIGURG...) is not part of the shape
            if (l.matches("(\\[pid\\s+\\d+\\] )?--- SIG.*")) continue;
            // KEY=VALUE of env: the names and what is redacted stay, values (hostnames, ids) may change
            String n = l.matches("[A-Za-z_][A-Za-z0-9_]*=.*") && !l.endsWith("=<redacted>") ? l.substring(0, l.indexOf('=') + 1) + "..." : l;
            shape.add(numbersOut(n));
        }
        return shape;
    }

    /** Null when {@code actual} has the README's shape, else what differs, step by step, and how to fix it. */
    static String difference(List<Step> readme, List<Step> actual) {
        List<String> want = readme.stream().map(s -> numbersOut(s.command())).toList();
        List<String> got = actual.stream().map(s -> numbersOut(s.command())).toList();
        if (!want.equals(got)) {
            return REGENERATE + ". The README shows the commands " + want + ", the tour runs " + got;
        }
        StringBuilder diff = new StringBuilder();
        for (int i = 0; i < readme.size(); i++) {
            Set<String> r = shape(readme.get(i));
            Set<String> a = shape(actual.get(i));
            if (r.equals(a)) continue;
            Set<String> missing = new LinkedHashSet<>(r);
            missing.removeAll(a);
            Set<String> added = new LinkedHashSet<>(a);
            added.removeAll(r);
            diff.append("\n  $ ").append(readme.get(i).command()).append(": in the README only ").append(missing)
                    .append("; printed now only ").append(added);
        }
        return diff.isEmpty() ? null : REGENERATE + ":" + diff;
    }
}
