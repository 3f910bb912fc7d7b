package io.taskscope.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.taskscope.TaskscopeException;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.cli.TargetArg;
import io.taskscope.event.EventJson;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.fs.FileHash;
import io.taskscope.fs.FileInfo;
import io.taskscope.fs.FileWatcher;
import io.taskscope.fs.FileType;
import io.taskscope.fs.FsException;
import io.taskscope.fs.FsText;
import io.taskscope.fs.RootedFs;
import io.taskscope.fs.Snapshot;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fs", mixinStandardHelpOptions = true,
        description = {"Read a neighbour's filesystem through /proc/PID/root, read-only.",
                "Paths are resolved inside the target's root (openat2 RESOLVE_IN_ROOT): absolute symlinks and '..' "
                        + "stay inside it, /proc magic links are refused."},
        subcommands = {FsCommand.Ls.class, FsCommand.Cat.class, FsCommand.Stat.class, FsCommand.Find.class,
                FsCommand.Hash.class, FsCommand.SnapshotCmd.class, FsCommand.Diff.class, FsCommand.Watch.class})
public class FsCommand implements Callable<Integer> {
    static final ObjectMapper JSON = io.taskscope.text.Escape.jsonMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: ls, cat, stat, find, hash, watch, snapshot or diff");
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a directory like ls -l (owners from the target's /etc/passwd; times UTC).")
    static class Ls implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin JsonOption json;
        @Parameters(paramLabel = "TARGET:PATH", description = TargetArg.DESCRIPTION)
        String arg;

        @Override
        public Integer call() {
            var tp = TargetArg.parsePath(arg);
            PrintWriter out = spec.commandLine().getOut();
            try (RootedFs fs = RootedFs.open(TargetArg.pid(tp.target()))) {
                List<FileInfo> files = isDirectory(fs, tp.path()) ? fs.list(tp.path()) : List.of(fs.lstat(tp.path()));
                if (json.json) out.println(json(files));
                else FsText.lsLines(files).forEach(out::println);
            }
            return ExitCode.OK.code();
        }

        /** Like ls: a symlink to a directory lists the directory; a dangling or refused one is shown as the link. */
        private static boolean isDirectory(RootedFs fs, String path) {
            try {
                return fs.stat(path).type() == FileType.DIRECTORY;
            } catch (FsException e) {
                if (e.reason() == FsException.Reason.TARGET_GONE || e.reason() == FsException.Reason.PERMISSION) throw e;
                fs.lstat(path); // fails with the real reason when the path itself is not there
                return false;
            }
        }
    }

    @Command(name = "cat", mixinStandardHelpOptions = true, description = "Print a regular file (capped; the rest is cut with a note on stderr).")
    static class Cat implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin JsonOption json;
        static final long JSON_MAX_BYTES = 64L << 20;
        static final long STREAM_ABOVE = 16L << 20;

        @Parameters(paramLabel = "TARGET:PATH", description = TargetArg.DESCRIPTION) String arg;
        @Option(names = "--max-bytes", defaultValue = "1048576", description = "Print at most this many bytes (default: ${DEFAULT-VALUE}).")
        long maxBytes;

        @Override
        public Integer call() {
            if (maxBytes < 0) throw TaskscopeException.usage("--max-bytes must not be negative", "give a byte count");
            if (json.json && maxBytes > JSON_MAX_BYTES) {
                throw TaskscopeException.usage("--max-bytes " + maxBytes + " with --json: the file's content is one JSON "
                        + "string held in memory, at most " + JSON_MAX_BYTES + " bytes", "lower --max-bytes, or drop --json");
            }
            var tp = TargetArg.parsePath(arg);
            PrintWriter out = spec.commandLine().getOut();
            RootedFs.Content c;
            boolean streamed = false;
            try (RootedFs fs = RootedFs.open(TargetArg.pid(tp.target()))) {
                if (!json.json && maxBytes > STREAM_ABOVE) {
                    // A large read is streamed to fd 1 as raw bytes: a 3 GiB --max-bytes needs no 3 GiB array.
                    out.flush();
                    c = fs.copyTo(tp.path(), maxBytes, System.out);
                    System.out.flush();
                    streamed = true;
                } else {
                    c = fs.read(tp.path(), maxBytes);
                }
            }
            if (json.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", tp.path());
                m.put("size", c.size());
                m.put("truncated", c.truncated());
                String text = utf8(c.bytes());
                if (text != null) m.put("text", text);
                else m.put("base64", java.util.Base64.getEncoder().encodeToString(c.bytes()));
                out.println(json(m));
            } else if (!streamed) {
                String text = utf8(c.bytes());
                if (text != null) {
                    out.print(text);
                    out.flush();
                } else {
                    // Not text: write the bytes as they are rather than through a character writer.
                    out.flush();
                    System.out.write(c.bytes(), 0, c.bytes().length);
                    System.out.flush();
                }
            }
            if (c.truncated()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("taskscope: output cut at " + maxBytes + " of " + c.size() + " bytes; raise --max-bytes to see more");
                err.flush();
            }
            return ExitCode.OK.code();
        }

        private static String utf8(byte[] b) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }

    @Command(name = "stat", mixinStandardHelpOptions = true, description = "Describe a file like stat(1).")
    static class Stat implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin JsonOption json;
        @Parameters(paramLabel = "TARGET:PATH", description = TargetArg.DESCRIPTION) String arg;
        @Option(names = {"-L", "--dereference"}, description = "Follow a final symlink.") boolean follow;

        @Override
        public Integer call() {
            var tp = TargetArg.parsePath(arg);
            PrintWriter out = spec.commandLine().getOut();
            try (RootedFs fs = RootedFs.open(TargetArg.pid(tp.target()))) {
                FileInfo f = follow ? fs.stat(tp.path()) : fs.lstat(tp.path());
                out.println(json.json ? json(f) : FsText.statBlock(f));
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "find", mixinStandardHelpOptions = true,
            description = {"Find files below a directory: never follows symlinks, skips /proc and /sys mounts.",
                    "--json prints one JSON object per line."})
    static class Find implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin JsonOption json;
        @Parameters(paramLabel = "TARGET:PATH", description = TargetArg.DESCRIPTION) String arg;
        @Option(names = "--name", paramLabel = "GLOB", description = "Match the file name against a glob, e.g. '*.php'.") String name;
        @Option(names = "--type", paramLabel = "f|d|l|c|b|p|s", split = ",", description = "Only these types (comma-separated).")
        List<String> types;
        @Option(names = "--max-depth", defaultValue = "64", description = "Descend at most this deep (default: ${DEFAULT-VALUE}).")
        int maxDepth;
        @Option(names = "--max-entries", defaultValue = "200000", description = "Stop after this many entries (default: ${DEFAULT-VALUE}).")
        long maxEntries;

        @Override
        public Integer call() {
            var tp = TargetArg.parsePath(arg);
            if (maxDepth < 0 || maxEntries < 1) throw TaskscopeException.usage("--max-depth and --max-entries must be positive", "give positive numbers");
            Set<FileType> wanted = EnumSet.noneOf(FileType.class);
            for (String t : types == null ? List.<String>of() : types) {
                if (t.length() != 1) throw TaskscopeException.usage("unknown --type '" + t + "'", "use one of f, d, l, c, b, p, s");
                wanted.add(FileType.byFindLetter(t.charAt(0)).orElseThrow(
                        () -> TaskscopeException.usage("unknown --type '" + t + "'", "use one of f, d, l, c, b, p, s")));
            }
            PathMatcher glob;
            try {
                glob = name == null ? null : FileSystems.getDefault().getPathMatcher("glob:" + name);
            } catch (IllegalArgumentException e) { // PatternSyntaxException among them
                throw TaskscopeException.usage("--name '" + name + "' is not a glob: " + e.getMessage().lines().findFirst().orElse(""),
                        "quote a literal [ or { as \\[ or \\{, or close it");
            }
            PrintWriter out = spec.commandLine().getOut();
            boolean complete;
            try (RootedFs fs = RootedFs.open(TargetArg.pid(tp.target()))) {
                complete = fs.walk(tp.path(), new RootedFs.WalkLimits(maxDepth, maxEntries), false, e -> {
                    FileInfo f = e.info();
                    if (!wanted.isEmpty() && !wanted.contains(f.type())) return;
                    if (glob != null && !matches(glob, f.name())) return;
                    out.println(json.json ? json(f) : FsText.printable(f.path()));
                });
            }
            out.flush();
            if (!complete) {
                spec.commandLine().getErr().println("taskscope: stopped after " + maxEntries + " entries; raise --max-entries to see more");
                return ExitCode.FAILURE.code();
            }
            return ExitCode.OK.code();
        }

        private static boolean matches(PathMatcher glob, String name) {
            try {
                return glob.matches(Path.of(name));
            } catch (java.nio.file.InvalidPathException e) {
                return false;
            }
        }
    }

    @Command(name = "hash", mixinStandardHelpOptions = true, description = {"SHA-256 of regular files, like sha256sum.",
            "A sparse file's holes are not read (SEEK_DATA/SEEK_HOLE); the digest is still sha256sum's."})
    static class Hash implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin JsonOption json;
        @Parameters(paramLabel = "TARGET:PATH", arity = "1..*", description = TargetArg.DESCRIPTION) List<String> args;
        @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "1G", converter = Size.class,
                description = "Refuse larger files (default ${DEFAULT-VALUE}; K, M, G, T suffixes): the digest sees every byte, "
                        + "holes included, at several seconds per GiB on a small VM.")
        long maxSize;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<Map<String, String>> rows = new ArrayList<>();
            for (String a : args) {
                var tp = TargetArg.parsePath(a);
                try (RootedFs fs = RootedFs.open(TargetArg.pid(tp.target()))) {
                    String sha = fs.sha256(tp.path(), maxSize);
                    if (json.json) rows.add(Map.of("target", tp.target(), "path", tp.path(), "sha256", sha));
                    else out.println(sha + "  " + FsText.printable(tp.path()));
                }
            }
            if (json.json) out.println(json(rows));
            return ExitCode.OK.code();
        }
    }

    /** A byte count with an optional K, M, G or T suffix (powers of 1024). */
    static final class Size implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v = FileHash.parseSize(value);
            if (v < 0) throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a size (e.g. 1073741824, 512M, 8G)");
            return v;
        }
    }

    /** Walk limits shared by snapshot and diff. */
    static class Limits {
        @Option(names = "--max-depth", defaultValue = "64", description = "Descend at most this deep (default: ${DEFAULT-VALUE}).")
        int maxDepth;
        @Option(names = "--max-entries", defaultValue = "200000", description = "Stop after this many entries (default: ${DEFAULT-VALUE}).")
        long maxEntries;
        @Option(names = "--max-hash-size", paramLabel = "SIZE", defaultValue = "1G", converter = Size.class,
                description = "Hash files up to this size (default ${DEFAULT-VALUE}; K, M, G, T suffixes); larger ones are "
                        + "recorded as \"not hashed\" and compared by size and mtime.")
        long maxHashSize;

        RootedFs.WalkLimits limits() {
            if (maxDepth < 0 || maxEntries < 1) throw TaskscopeException.usage("--max-depth and --max-entries must be positive", "give positive numbers");
            return new RootedFs.WalkLimits(maxDepth, maxEntries, maxHashSize);
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Write a baseline of a tree: type, mode, owner, size, mtime and SHA-256 of every file (JSON).")
    static class SnapshotCmd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Limits limits;
        @Parameters(paramLabel = "TARGET:PATH", description = TargetArg.DESCRIPTION) String arg;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the baseline here (on the monitor), else to stdout.")
        Path output;

        @Override
        public Integer call() {
            var tp = TargetArg.parsePath(arg);
            Snapshot snap;
            try (RootedFs fs = RootedFs.open(TargetArg.pid(tp.target()))) {
                snap = Snapshot.take(fs, tp.target(), tp.path(), limits.limits());
            }
            if (output == null) {
                spec.commandLine().getOut().println(snap.toJson());
            } else {
                snap.write(output);
                spec.commandLine().getErr().println("taskscope: " + snap.entries().size() + " entries of " + tp.path() + " written to " + output);
            }
            if (!snap.complete()) {
                spec.commandLine().getErr().println("taskscope: the snapshot stopped at --max-entries; it is partial");
                return ExitCode.FAILURE.code();
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"Compare a tree with a baseline from 'fs snapshot': added, removed, changed files.",
                    "Exit 0 when nothing differs, 3 when something does."})
    static class Diff implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin JsonOption json;
        @Mixin Limits limits;
        @Parameters(paramLabel = "TARGET:PATH", description = TargetArg.DESCRIPTION) String arg;
        @Option(names = "--against", required = true, paramLabel = "FILE", description = "The baseline written by 'fs snapshot -o FILE'.")
        Path against;

        @Override
        public Integer call() {
            var tp = TargetArg.parsePath(arg);
            Snapshot baseline = Snapshot.read(against);
            Snapshot now;
            try (RootedFs fs = RootedFs.open(TargetArg.pid(tp.target()))) {
                now = Snapshot.take(fs, tp.target(), tp.path(), limits.limits());
            }
            if (!now.path().equals(baseline.path())) {
                throw TaskscopeException.usage("the baseline is of " + baseline.path() + ", not " + now.path(),
                        "diff the same path the snapshot was taken of");
            }
            List<Snapshot.Change> changes = now.diff(baseline);
            PrintWriter out = spec.commandLine().getOut();
            if (json.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", now.path());
                m.put("baseline", baseline.taken());
                m.put("complete", now.complete() && baseline.complete());
                m.put("changes", changes);
                out.println(json(m));
            } else {
                int added = 0, removed = 0, changed = 0;
                for (Snapshot.Change c : changes) {
                    switch (c.kind()) {
                        case ADDED -> {
                            added++;
                            Snapshot.Entry a = c.after();
                            out.println("+ added    " + FsText.printable(c.path()) + "  (" + a.type().description() + ", " + a.mode()
                                    + ", " + FsText.printable(a.owner()) + ", " + a.size() + " bytes"
                                    + (a.sha256() == null ? "" : ", sha256 " + a.sha256())
                                    + (a.notHashed() == null ? "" : ", not hashed: " + a.notHashed()) + ")");
                        }
                        case REMOVED -> {
                            removed++;
                            out.println("- removed  " + FsText.printable(c.path()));
                        }
                        case CHANGED -> {
                            changed++;
                            out.println("~ changed  " + FsText.printable(c.path()) + "  (" + String.join(", ", c.fields()) + ")");
                        }
                    }
                }
                out.println(changes.isEmpty() ? "no differences from the baseline of " + baseline.taken()
                        : changes.size() + " differences from the baseline of " + baseline.taken() + " (" + added + " added, "
                        + removed + " removed, " + changed + " changed)");
            }
            return changes.isEmpty() ? ExitCode.OK.code() : ExitCode.FOUND.code();
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = {"Print changes under a neighbour's directories as they happen (inotify: no ptrace, no cost to the target).",
                    "One line per change: time, container, PID, kind (CREATE MODIFY DELETE MOVE_FROM MOVE_TO ATTRIB), path in the container.",
                    "--json prints the file events of the JSON-lines event stream. Stops on Ctrl-C, --duration or --count."})
    static class Watch implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin JsonOption json;
        @Parameters(paramLabel = "TARGET:PATH", arity = "1..*", description = TargetArg.DESCRIPTION) List<String> args;
        @Option(names = {"-r", "--recursive"}, description = "Watch subdirectories too, including ones created later.") boolean recursive;
        @Option(names = "--duration", paramLabel = io.taskscope.cli.DurationConverter.LABEL, defaultValue = "0",
                converter = io.taskscope.cli.DurationConverter.BareSeconds.class,
                description = "Stop after this long: 30s, 5m, 1h (0: until interrupted; a bare number is seconds).")
        java.time.Duration duration;
        @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N events (0: no limit).")
        long count;

        @Override
        public Integer call() throws InterruptedException {
            if (count < 0) throw TaskscopeException.usage("--count must not be negative", "give 0 or more");
            Map<Integer, List<String>> byPid = new LinkedHashMap<>();
            Map<Integer, String> containers = new LinkedHashMap<>();
            for (String a : args) {
                var tp = TargetArg.parsePath(a);
                var t = TargetArg.resolve(tp.target());
                byPid.computeIfAbsent(t.pid(), k -> new ArrayList<>()).add(tp.path());
                containers.put(t.pid(), t.container());
            }
            PrintWriter out = spec.commandLine().getOut();
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
            java.util.function.Consumer<FileChangeEvent> sink = e -> {
                synchronized (out) {
                    out.println(json.json ? EventJson.toJson(e) : line(e));
                    out.flush();
                }
                if (count > 0 && seen.incrementAndGet() >= count) done.countDown();
            };
            List<FileWatcher> watchers = new ArrayList<>();
            try {
                for (var e : byPid.entrySet()) {
                    watchers.add(FileWatcher.start(e.getKey(), containers.get(e.getKey()), e.getValue(), recursive, sink));
                }
                spec.commandLine().getErr().println("taskscope: watching " + watchers.stream().mapToInt(FileWatcher::watchCount).sum()
                        + " directories; Ctrl-C to stop");
                spec.commandLine().getErr().flush();
                // Until the count or duration is reached, or every watched process is gone (its container
                // stopped: nothing will change there any more), as 'trace' ends when its tracees exit.
                long end = !duration.isZero() ? System.nanoTime() + duration.toNanos() : Long.MAX_VALUE;
                while (!done.await(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)),
                        java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() >= end) break;
                    if (byPid.keySet().stream().noneMatch(pid -> java.nio.file.Files.isDirectory(io.taskscope.proc.ProcPath.system().pid(pid)))) {
                        spec.commandLine().getErr().println("taskscope: every watched process (pid " + byPid.keySet()
                                .stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + ") has exited; stopping");
                        spec.commandLine().getErr().flush();
                        break;
                    }
                }
            } finally {
                watchers.forEach(FileWatcher::close);
            }
            return ExitCode.OK.code();
        }

        private static String line(FileChangeEvent e) {
            return EventJson.time(e.timeNanos()) + " " + (e.container() == null || e.container().isEmpty() ? "-" : FsText.printable(e.container()))
                    + " " + e.pid() + " " + e.kind() + " " + FsText.printable(e.path()) + (e.directory() ? "/" : "");
        }
    }
}
