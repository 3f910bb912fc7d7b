package io.taskscope.decode;

import io.taskscope.TaskscopeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * strace's filter language for {@code -e} expressions, reduced to what a tracer needs per stop:
 * a {@code boolean[]} indexed by syscall number (checked before any decoding) and a status test.
 *
 * <ul>
 *   <li>{@code trace=SET} (or a bare {@code SET}): comma-separated names, classes ({@code %file},
 *       {@code %desc}, {@code %network}/{@code %net}, {@code %process}, {@code %signal}, {@code %ipc},
 *       {@code %memory}, {@code %creds}, {@code %clock}, {@code %pure}, {@code %stat}, {@code %lstat},
 *       {@code %fstat}, {@code %%stat}, {@code %statfs}, {@code %fstatfs}, {@code %%statfs}),
 *       {@code /regex}, {@code ?name} (no error when unknown), {@code all}, {@code none}; a leading
 *       {@code !} negates the set. As in strace, the last {@code trace=} expression wins, and only
 *       the seven classes strace has always had may be written without {@code %} ({@code file},
 *       {@code desc}, {@code network}, {@code process}, {@code signal}, {@code ipc}, {@code memory}): a
 *       bare {@code stat}, {@code lstat}, {@code fstat}, {@code statfs} or {@code fstatfs} is the syscall.</li>
 *   <li>{@code status=SET}: {@code successful}, {@code failed}, {@code unfinished}, {@code all}
 *       ({@code -z} is status=successful, {@code -Z} status=failed).</li>
 * </ul>
 * An unknown syscall or class is a usage error naming it, as strace's is.
 */
public final class SyscallFilter {
    private static final Set<String> CLASSES = Set.of("file", "desc", "network", "process", "signal", "ipc",
            "memory", "creds", "clock", "pure", "stat", "lstat", "fstat", "%stat", "statfs", "fstatfs", "%statfs");

    /** Classes strace accepts without the leading %, from before %-names existed. */
    private static final Set<String> LEGACY_BARE_CLASSES = Set.of("file", "desc", "network", "process", "signal", "ipc", "memory");

    /** One trace= term set, kept symbolic so that it can be applied to any architecture's table. */
    private record TraceExpr(boolean negated, List<String> terms) {}

    private final List<TraceExpr> traces = new ArrayList<>();
    private boolean showSuccessful = true, showFailed = true, showUnfinished = true;
    private boolean statusSet;

    /** Everything traced, every status shown: strace without {@code -e}. */
    public static SyscallFilter all() {
        return new SyscallFilter();
    }

    /** Parses several {@code -e} expressions. */
    public static SyscallFilter parse(List<String> expressions) {
        SyscallFilter f = new SyscallFilter();
        for (String e : expressions) f.add(e);
        return f;
    }

    /** Adds one {@code -e} expression ("trace=%file", "status=failed", "openat,close"). */
    public SyscallFilter add(String expression) {
        String e = expression.strip();
        int eq = e.indexOf('=');
        String qualifier = eq < 0 ? "trace" : e.substring(0, eq);
        String value = eq < 0 ? e : e.substring(eq + 1);
        switch (qualifier) {
            case "trace", "t" -> addTrace(value);
            case "status" -> addStatus(value);
            default -> throw TaskscopeException.usage("unsupported -e qualifier '" + qualifier + "'",
                    "taskscope supports -e trace=... and -e status=...");
        }
        return this;
    }

    /** {@code -z}: show only calls that succeeded. */
    public SyscallFilter successfulOnly() {
        return addStatus("successful");
    }

    /** {@code -Z}: show only calls that failed. */
    public SyscallFilter failedOnly() {
        return addStatus("failed");
    }

    private void addTrace(String value) {
        boolean negated = value.startsWith("!");
        String body = negated ? value.substring(1) : value;
        if (body.isEmpty()) throw TaskscopeException.usage("empty -e trace= expression", "name syscalls or classes, e.g. -e trace=%file");
        List<String> terms = List.of(body.split(","));
        // Validate now against the running architecture so that a typo fails at start, as in strace.
        apply(new TraceExpr(negated, terms), SyscallTable.current(), new boolean[SyscallTable.current().size()]);
        traces.clear(); // strace: -e trace=unlink -e trace=rename traces rename only
        traces.add(new TraceExpr(negated, terms));
    }

    private SyscallFilter addStatus(String value) {
        if (!statusSet) {
            showSuccessful = showFailed = showUnfinished = false;
            statusSet = true;
        }
        for (String s : value.split(",")) {
            switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "successful" -> showSuccessful = true;
                case "failed" -> showFailed = true;
                case "unfinished" -> showUnfinished = true;
                case "all" -> showSuccessful = showFailed = showUnfinished = true;
                case "none" -> { }
                case "unavailable", "detached" -> { } // always shown as part of unfinished/exit output
                default -> throw TaskscopeException.usage("invalid status '" + s + "' in -e status=",
                        "use successful, failed, unfinished or all");
            }
        }
        return this;
    }

    /** Which syscall numbers of {@code table} are traced. */
    public boolean[] selection(SyscallTable table) {
        boolean[] sel = new boolean[table.size()];
        if (traces.isEmpty()) {
            java.util.Arrays.fill(sel, true);
            return sel;
        }
        boolean first = true;
        for (TraceExpr t : traces) {
            if (first && t.negated()) java.util.Arrays.fill(sel, true);
            apply(t, table, sel);
            first = false;
        }
        return sel;
    }

    private static void apply(TraceExpr t, SyscallTable table, boolean[] sel) {
        for (String raw : t.terms()) {
            String term = raw.strip();
            boolean optional = term.startsWith("?");
            if (optional) term = term.substring(1);
            List<Syscall> matched = new ArrayList<>();
            if (term.equals("all")) {
                matched.addAll(table.all());
            } else if (term.equals("none")) {
                // nothing
            } else if (term.startsWith("/")) {
                Pattern p;
                try {
                    p = Pattern.compile(term.substring(1));
                } catch (PatternSyntaxException e) {
                    throw TaskscopeException.usage("invalid regular expression '" + term.substring(1) + "' in -e trace=",
                            "fix the expression (Java regex syntax)");
                }
                for (Syscall s : table.all()) if (p.matcher(s.name()).find()) matched.add(s);
            } else if (term.startsWith("%") || LEGACY_BARE_CLASSES.contains(term)) {
                String cls = term.startsWith("%") ? term.substring(1) : term;
                if (cls.equals("net")) cls = "network";
                if (!CLASSES.contains(cls)) {
                    if (optional) continue;
                    throw TaskscopeException.usage("invalid system call class '" + term + "'",
                            "known classes: %file %desc %network %process %signal %ipc %memory %creds %clock %pure "
                                    + "%stat %lstat %fstat %%stat %statfs %fstatfs %%statfs");
                }
                for (Syscall s : table.all()) if (s.in(cls)) matched.add(s);
            } else {
                var s = table.byName(term);
                if (s.isEmpty()) {
                    if (optional) continue;
                    throw TaskscopeException.usage("invalid system call '" + term + "'",
                            "check the name (as in 'man 2 " + term + "'), or write ?" + term + " to ignore it where unknown");
                }
                matched.add(s.get());
            }
            for (Syscall s : matched) sel[s.number()] = !t.negated();
        }
    }

    /** Whether no trace= expression narrows the set (calls of another ABI are then shown raw too). */
    public boolean tracesEverything() {
        return traces.isEmpty();
    }

    /** Whether a completed call with this outcome is shown. */
    public boolean shows(boolean failed) {
        return failed ? showFailed : showSuccessful;
    }

    /** Whether calls cut short by the process ending ({@code = ?}) are shown. */
    public boolean showsUnfinished() {
        return showUnfinished;
    }
}
