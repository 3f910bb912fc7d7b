package io.taskscope.fs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.taskscope.TaskscopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A baseline of a directory tree in a neighbour (type, mode, owner, size, mtime and SHA-256 of
 * every file) and the difference between two of them: the drift check for a web root into which
 * someone dropped a shell.
 *
 * @param path     the directory inside the target's root
 * @param complete false when a walk limit cut the snapshot short (a diff against it is partial)
 */
public record Snapshot(int version, String target, String path, String taken, boolean complete, List<Entry> entries) {
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = io.taskscope.text.Escape.jsonMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One file. {@code mode} is octal permission bits; {@code sha256} only for regular files, and not for one larger
     * than the walk's hash limit: then {@code notHashed} says why ("larger than 1 GiB") and a diff compares its
     * size and mtime only.
     */
    public record Entry(String path, FileType type, String mode, long uid, long gid, String owner, String group,
                        long size, String mtime, String sha256, String linkTarget, String notHashed) {
        static Entry of(RootedFs.Entry e) {
            FileInfo f = e.info();
            return new Entry(f.path(), f.type(), String.format("%04o", f.mode()), f.uid(), f.gid(), f.owner(), f.group(),
                    f.size(), f.mtime().toString(), e.sha256(), f.linkTarget(), e.notHashed());
        }
    }

    public enum Kind { ADDED, REMOVED, CHANGED }

    /** One difference; {@code fields} names what changed (sha256, size, mode, owner, type, link, mtime). */
    public record Change(Kind kind, String path, List<String> fields, Entry before, Entry after) {}

    public static Snapshot take(RootedFs fs, String target, String path, RootedFs.WalkLimits limits) {
        List<Entry> entries = new ArrayList<>();
        boolean complete = fs.walk(path, limits, true, e -> entries.add(Entry.of(e)));
        return new Snapshot(VERSION, target, RootedFs.normalize(path), Instant.now().toString(), complete, entries);
    }

    public void write(Path file) {
        try {
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw TaskscopeException.runtime("cannot write " + file + ": " + e.getMessage(), "check the directory exists and is writable");
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Snapshot read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw TaskscopeException.usage("no baseline at " + file, "take one with 'taskscope fs snapshot TARGET:PATH -o " + file + "'");
        }
        Snapshot s;
        try {
            s = JSON.readValue(file.toFile(), Snapshot.class);
        } catch (IOException e) {
            throw TaskscopeException.usage(file + " is not a taskscope snapshot: " + e.getMessage().lines().findFirst().orElse(""),
                    "take one with 'taskscope fs snapshot'");
        }
        if (s.version() != VERSION || s.entries() == null) {
            throw TaskscopeException.usage(file + " is a snapshot of version " + s.version() + ", this taskscope reads " + VERSION,
                    "take a new baseline");
        }
        return s;
    }

    /** What changed from {@code baseline} to this snapshot, in path order. */
    public List<Change> diff(Snapshot baseline) {
        Map<String, Entry> before = new LinkedHashMap<>();
        for (Entry e : baseline.entries()) before.put(e.path(), e);
        Map<String, Entry> after = new LinkedHashMap<>();
        for (Entry e : entries) after.put(e.path(), e);
        List<Change> out = new ArrayList<>();
        for (Entry a : entries) {
            Entry b = before.get(a.path());
            if (b == null) {
                out.add(new Change(Kind.ADDED, a.path(), List.of(), null, a));
                continue;
            }
            List<String> fields = changedFields(b, a);
            if (!fields.isEmpty()) out.add(new Change(Kind.CHANGED, a.path(), fields, b, a));
        }
        for (Entry b : baseline.entries()) {
            if (!after.containsKey(b.path())) out.add(new Change(Kind.REMOVED, b.path(), List.of(), b, null));
        }
        out.sort(java.util.Comparator.comparing(Change::path));
        return out;
    }

    /**
     * A directory's size and mtime change whenever an entry is added or removed, which the diff
     * already reports as that entry: they are not compared for directories.
     */
    private static List<String> changedFields(Entry b, Entry a) {
        List<String> f = new ArrayList<>();
        if (b.type() != a.type()) f.add("type");
        if (!Objects.equals(b.mode(), a.mode())) f.add("mode");
        if (b.uid() != a.uid() || b.gid() != a.gid()) f.add("owner");
        if (!Objects.equals(b.linkTarget(), a.linkTarget())) f.add("link");
        if (a.type() != FileType.DIRECTORY) {
            if (!Objects.equals(b.sha256(), a.sha256())) f.add("sha256");
            if (b.size() != a.size()) f.add("size");
            if (!Objects.equals(b.mtime(), a.mtime())) f.add("mtime");
        }
        return f;
    }
}
