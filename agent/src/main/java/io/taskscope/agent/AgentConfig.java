package io.taskscope.agent;

import io.taskscope.TaskscopeException;
import io.taskscope.rules.Doc;
import io.taskscope.rules.Glob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What the agent does, from an optional config file (YAML or JSON) overlaid by {@code TASKSCOPE_*}
 * environment variables (a task definition's natural way to configure a container). Everything is
 * validated here, before anything is attached: a bad value stops the agent with one line naming
 * the variable or the file and line, and exit 1.
 *
 * @param select       which processes to trace: a process is traced when any selector matches it.
 *                     Empty means every process outside the monitor's own container (infrastructure
 *                     processes, pause and the SSM agents, are never traced)
 * @param filter       strace {@code -e} expressions ("trace=%file", "status=failed")
 * @param watch        directories of neighbours to watch with inotify (no ptrace)
 * @param defaultRules whether the shipped rules are loaded before {@code ruleFiles}
 * @param metricsInterval how often an EMF metrics line is written; zero disables metrics
 * @param queueCapacity events buffered between the tracer and stdout before drops start
 * @param scanInterval how often /proc is scanned for new processes (fork children are followed at once)
 * @param stringLimit  longest string argument printed, like strace's -s
 * @param modes        lifecycle or syscall mode, escalation, the budget, sensitive files (docs/modes.md)
 */
public record AgentConfig(List<Selector> select, List<String> filter, boolean follow, List<Watch> watch,
                          boolean defaultRules, List<Path> ruleFiles, Duration metricsInterval,
                          String metricsNamespace, Path socket, int queueCapacity, Duration scanInterval,
                          int stringLimit, ModeConfig modes) {

    public static final List<String> DEFAULT_FILTER = List.of("trace=%file,%process,ptrace,process_vm_readv,process_vm_writev");

    /**
     * Which processes to trace; every given part must match.
     *
     * @param containers container name globs (any of), empty for any container
     * @param command    regular expression searched in the command line (argv joined by spaces)
     * @param exes       executable globs (any of), empty for any executable: with a '/' matched against the path,
     *                   without one against the file name
     */
    public record Selector(List<Glob> containers, Optional<Pattern> command, List<Glob> exes) {
        public boolean matches(String container, String commandLine, String exe) {
            if (!containers.isEmpty() && containers.stream().noneMatch(g -> g.matches(container))) return false;
            if (command.isPresent() && (commandLine == null || !command.get().matcher(commandLine).find())) return false;
            return exes.isEmpty() || exes.stream().anyMatch(g -> exeMatches(g, exe));
        }

        /** A glob with a '/' is matched against the path, one without against the file name (*php-fpm*). */
        private static boolean exeMatches(Glob g, String exe) {
            if (exe == null) return false;
            return g.pattern().indexOf('/') >= 0 ? g.matches(exe) : g.matches(exe.substring(exe.lastIndexOf('/') + 1));
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            if (!containers.isEmpty()) parts.add("container=" + containers);
            command.ifPresent(c -> parts.add("command=/" + c.pattern() + "/"));
            if (!exes.isEmpty()) parts.add("exe=" + exes);
            return String.join(" ", parts);
        }
    }

    /** A directory inside a container, watched through /proc/PID/root with inotify. */
    public record Watch(String container, String path, boolean recursive) {}

    public static AgentConfig defaults() {
        return new AgentConfig(List.of(), DEFAULT_FILTER, true, List.of(), true, List.of(), Duration.ofSeconds(60),
                "taskscope", AgentSocket.DEFAULT, 16_384, Duration.ofMillis(500), 256, ModeConfig.defaults());
    }

    /** Selects a process; with no selectors everything not excluded elsewhere is selected. */
    public boolean selects(String container, String commandLine, String exe) {
        return select.isEmpty() || select.stream().anyMatch(s -> s.matches(container, commandLine, exe));
    }

    // ------------------------------------------------------------------ loading

    /** Environment variables the agent reads; anything else starting with TASKSCOPE_ draws a warning. */
    public static final Set<String> ENV = new TreeSet<>(List.of("TASKSCOPE_CONFIG", "TASKSCOPE_CONTAINERS",
            "TASKSCOPE_COMMAND", "TASKSCOPE_EXES", "TASKSCOPE_FILTER", "TASKSCOPE_FOLLOW", "TASKSCOPE_WATCH",
            "TASKSCOPE_RULES", "TASKSCOPE_DEFAULT_RULES", "TASKSCOPE_METRICS_INTERVAL", "TASKSCOPE_METRICS_NAMESPACE",
            "TASKSCOPE_SOCKET", "TASKSCOPE_QUEUE", "TASKSCOPE_SCAN_INTERVAL", "TASKSCOPE_STRING_LIMIT"));

    static {
        ENV.addAll(ModeConfig.ENV);
    }

    /**
     * Loads the configuration: defaults, then the file ({@code configFile}, else TASKSCOPE_CONFIG),
     * then the environment. {@code warnings} collects non-fatal remarks (unknown TASKSCOPE_ variables).
     */
    public static AgentConfig load(Map<String, String> env, Optional<Path> configFile, List<String> warnings) {
        Builder b = new Builder(defaults());
        Optional<Path> file = configFile.or(() -> Optional.ofNullable(env.get("TASKSCOPE_CONFIG"))
                .filter(s -> !s.isBlank()).map(Path::of));
        file.ifPresent(f -> b.file(Doc.parse(f)));
        b.env(env);
        for (String k : new TreeSet<>(env.keySet())) {
            if (k.startsWith("TASKSCOPE_") && !ENV.contains(k) && !k.equals("TASKSCOPE_TEST_ROOT")) {
                warnings.add("ignoring unknown variable " + k + " (the agent reads " + String.join(", ", ENV) + ")");
            }
        }
        return b.build();
    }

    private static final class Builder {
        List<Selector> select;
        List<String> filter;
        boolean follow;
        List<Watch> watch;
        boolean defaultRules;
        List<Path> ruleFiles;
        Duration metricsInterval;
        String metricsNamespace;
        Path socket;
        int queueCapacity;
        Duration scanInterval;
        int stringLimit;
        ModeConfig modes;

        Builder(AgentConfig c) {
            select = c.select;
            filter = c.filter;
            follow = c.follow;
            watch = c.watch;
            defaultRules = c.defaultRules;
            ruleFiles = c.ruleFiles;
            metricsInterval = c.metricsInterval;
            metricsNamespace = c.metricsNamespace;
            socket = c.socket;
            queueCapacity = c.queueCapacity;
            scanInterval = c.scanInterval;
            stringLimit = c.stringLimit;
            modes = c.modes;
        }

        AgentConfig build() {
            return new AgentConfig(List.copyOf(select), List.copyOf(filter), follow, List.copyOf(watch), defaultRules,
                    List.copyOf(ruleFiles), metricsInterval, metricsNamespace, socket, queueCapacity, scanInterval,
                    stringLimit, modes);
        }

        // ---- the file ----

        void file(Doc doc) {
            Doc.Mapping top = doc.asMap("the config file").onlyKeys(
                    Set.of("trace", "modes", "watch", "rules", "metrics", "socket", "queue", "scan-interval"), "the config file");
            top.get("modes").ifPresent(d -> modes = modes.withFile(d, Builder::selectors));
            top.get("trace").ifPresent(d -> {
                Doc.Mapping t = d.asMap("trace").onlyKeys(Set.of("select", "filter", "follow", "string-limit"), "trace");
                t.get("select").ifPresent(s -> select = selectors(s));
                t.get("filter").ifPresent(f -> filter = f.asScalars("trace.filter").stream().map(Doc.Scalar::text).toList());
                t.get("follow").ifPresent(f -> follow = f.asBool("trace.follow"));
                t.get("string-limit").ifPresent(f -> stringLimit = (int) f.asLong("trace.string-limit", 1, 1 << 20));
            });
            top.get("watch").ifPresent(d -> watch = watches(d));
            top.get("rules").ifPresent(d -> {
                Doc.Mapping r = d.asMap("rules").onlyKeys(Set.of("defaults", "files"), "rules");
                r.get("defaults").ifPresent(x -> defaultRules = x.asBool("rules.defaults"));
                r.get("files").ifPresent(x -> ruleFiles = x.asScalars("rules.files").stream().map(s -> Path.of(s.text())).toList());
            });
            top.get("metrics").ifPresent(d -> {
                Doc.Mapping m = d.asMap("metrics").onlyKeys(Set.of("interval", "namespace"), "metrics");
                m.get("interval").ifPresent(x -> metricsInterval = duration(x.asText("metrics.interval"),
                        x.where() + ": metrics.interval", true));
                m.get("namespace").ifPresent(x -> metricsNamespace = namespace(x.asText("metrics.namespace"),
                        x.where() + ": metrics.namespace"));
            });
            top.get("socket").ifPresent(d -> socket = socketPath(d.asText("socket"), d.where() + ": socket"));
            top.get("queue").ifPresent(d -> queueCapacity = (int) d.asLong("queue", 16, 1 << 22));
            top.get("scan-interval").ifPresent(d -> scanInterval = scan(d.asText("scan-interval"), d.where() + ": scan-interval"));
        }

        private static List<Selector> selectors(Doc d) {
            List<Doc> items = d instanceof Doc.Seq q ? q.items() : List.of(d);
            List<Selector> out = new ArrayList<>();
            for (Doc item : items) {
                Doc.Mapping m = item.asMap("trace.select entry").onlyKeys(Set.of("container", "command", "exe"),
                        "a trace.select entry");
                if (m.entries().isEmpty()) {
                    throw Doc.error(m.where(), "empty trace.select entry", "give container, command or exe");
                }
                List<Glob> containers = m.get("container").map(x -> globs(x.asScalars("container"))).orElse(List.of());
                Optional<Pattern> command = m.get("command").map(x -> regex(x.asText("command"), x.where() + ": trace.select command"));
                List<Glob> exes = m.get("exe").map(x -> globs(x.asScalars("exe"))).orElse(List.of());
                out.add(new Selector(containers, command, exes));
            }
            return out;
        }

        private static List<Glob> globs(List<Doc.Scalar> values) {
            List<Glob> out = new ArrayList<>();
            for (Doc.Scalar s : values) out.add(glob(s.text(), s.where()));
            return out;
        }

        private static List<Watch> watches(Doc d) {
            List<Doc> items = d instanceof Doc.Seq q ? q.items() : List.of(d);
            List<Watch> out = new ArrayList<>();
            for (Doc item : items) {
                if (item instanceof Doc.Scalar s) {
                    out.add(watchSpec(s.text(), s.where() + ": watch"));
                    continue;
                }
                Doc.Mapping m = item.asMap("watch entry").onlyKeys(Set.of("container", "path", "recursive"), "a watch entry");
                String c = m.get("container").orElseThrow(() -> Doc.error(m.where(), "watch entry has no container",
                        "add 'container: NAME'")).asText("watch container");
                Doc pd = m.get("path").orElseThrow(() -> Doc.error(m.where(), "watch entry has no path", "add 'path: /dir'"));
                String p = pd.asText("watch path");
                if (!p.startsWith("/")) throw Doc.error(pd.where(), "watch path '" + p + "' is not absolute", "write the path as the container sees it, e.g. /var/www/html");
                boolean r = m.get("recursive").map(x -> x.asBool("recursive")).orElse(true);
                out.add(new Watch(c, p, r));
            }
            return out;
        }

        // ---- the environment (wins over the file) ----

        void env(Map<String, String> env) {
            String containers = env.get("TASKSCOPE_CONTAINERS");
            String command = env.get("TASKSCOPE_COMMAND");
            String exes = env.get("TASKSCOPE_EXES");
            if (present(containers) || present(command) || present(exes)) {
                List<Glob> cs = present(containers) ? list(containers).stream().map(s -> glob(s, "TASKSCOPE_CONTAINERS")).toList() : List.of();
                Optional<Pattern> cmd = present(command) ? Optional.of(regex(command, "TASKSCOPE_COMMAND")) : Optional.empty();
                List<Glob> xs = present(exes) ? list(exes).stream().map(s -> glob(s, "TASKSCOPE_EXES")).toList() : List.of();
                select = List.of(new Selector(cs, cmd, xs));
            }
            String f = env.get("TASKSCOPE_FILTER");
            if (present(f)) filter = List.of(f.trim().split("[;\\s]+"));
            String follow = env.get("TASKSCOPE_FOLLOW");
            if (present(follow)) this.follow = bool(follow, "TASKSCOPE_FOLLOW");
            String w = env.get("TASKSCOPE_WATCH");
            if (present(w)) watch = list(w).stream().map(s -> watchSpec(s, "TASKSCOPE_WATCH")).toList();
            String rules = env.get("TASKSCOPE_RULES");
            if (present(rules)) ruleFiles = list(rules).stream().map(Path::of).toList();
            String dr = env.get("TASKSCOPE_DEFAULT_RULES");
            if (present(dr)) defaultRules = bool(dr, "TASKSCOPE_DEFAULT_RULES");
            String mi = env.get("TASKSCOPE_METRICS_INTERVAL");
            if (present(mi)) metricsInterval = duration(mi, "TASKSCOPE_METRICS_INTERVAL", true);
            String ns = env.get("TASKSCOPE_METRICS_NAMESPACE");
            if (present(ns)) metricsNamespace = namespace(ns, "TASKSCOPE_METRICS_NAMESPACE");
            String sock = env.get("TASKSCOPE_SOCKET");
            if (present(sock)) socket = socketPath(sock, "TASKSCOPE_SOCKET");
            String q = env.get("TASKSCOPE_QUEUE");
            if (present(q)) queueCapacity = (int) number(q, "TASKSCOPE_QUEUE", 16, 1 << 22);
            String si = env.get("TASKSCOPE_SCAN_INTERVAL");
            if (present(si)) scanInterval = scan(si, "TASKSCOPE_SCAN_INTERVAL");
            String sl = env.get("TASKSCOPE_STRING_LIMIT");
            if (present(sl)) stringLimit = (int) number(sl, "TASKSCOPE_STRING_LIMIT", 1, 1 << 20);
            modes = modes.withEnv(env);
        }

        private static boolean present(String s) {
            return s != null && !s.isBlank();
        }

        private static List<String> list(String s) {
            return java.util.Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        }
    }

    // ------------------------------------------------------------------ value parsers ("where" names the source)

    private static TaskscopeException bad(String where, String problem, String fix) {
        return TaskscopeException.runtime(where + ": " + problem, fix);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

    /** "60", "60s", "500ms", "1m"; "0" or "off" means disabled when {@code zeroOk}. */
    static Duration duration(String text, String where, boolean zeroOk) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (zeroOk && t.equals("off")) return Duration.ZERO;
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) throw bad(where, "'" + text + "' is not a duration", "write e.g. 60s, 500ms or 1m");
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero() && !zeroOk) throw bad(where, "must be greater than zero", "write e.g. 500ms");
        if (!d.isZero() && d.toMillis() < 1000 && zeroOk) {
            throw bad(where, "'" + text + "' is shorter than one second", "use at least 1s (CloudWatch stores 1-second resolution at best), or off");
        }
        return d;
    }

    private static Duration scan(String text, String where) {
        Duration d = duration(text, where, false);
        if (d.toMillis() < 50 || d.toMillis() > 1000) {
            throw bad(where, "'" + text + "' is outside 50ms..1s", "new processes must be found within one second; pick e.g. 500ms");
        }
        return d;
    }

    private static Glob glob(String text, String where) {
        try {
            return Glob.of(text);
        } catch (IllegalArgumentException e) {
            throw bad(where, e.getMessage(), "close the bracket");
        }
    }

    private static Pattern regex(String text, String where) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw bad(where, "'" + text + "' is not a valid regular expression (" + e.getDescription() + " near index "
                    + e.getIndex() + ")", "fix the expression");
        }
    }

    private static boolean bool(String text, String where) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw bad(where, "'" + text + "' is not true or false", "write true or false");
        };
    }

    private static long number(String text, String where, long min, long max) {
        try {
            long v = Long.parseLong(text.trim());
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(where, "'" + text + "' is not a number between " + min + " and " + max, "write a number in range");
    }

    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._#:/-]{1,255}");

    private static String namespace(String text, String where) {
        if (!NAMESPACE.matcher(text).matches() || text.startsWith("AWS/")) {
            throw bad(where, "'" + text + "' is not a usable CloudWatch namespace",
                    "use letters, digits and . - _ / # : (not starting with AWS/), e.g. taskscope");
        }
        return text;
    }

    private static Path socketPath(String text, String where) {
        if (!text.startsWith("/")) throw bad(where, "'" + text + "' is not an absolute path", "write e.g. /run/taskscope/agent.sock");
        // sun_path holds 108 bytes including the terminating NUL
        if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw bad(where, "socket path is longer than 107 bytes", "use a shorter path");
        }
        return Path.of(text);
    }

    /** "app:/var/www/html" (recursive). */
    private static Watch watchSpec(String text, String where) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.charAt(colon + 1) != '/') {
            throw bad(where, "'" + text + "' is not CONTAINER:/path", "write e.g. app:/var/www/html");
        }
        return new Watch(text.substring(0, colon), text.substring(colon + 1), true);
    }
}
