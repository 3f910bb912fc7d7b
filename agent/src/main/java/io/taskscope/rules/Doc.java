package io.taskscope.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.taskscope.TaskscopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A YAML or JSON document as a tree that remembers the line of every value.
 *
 * <p>Jackson's own trees drop locations, and a rule or config file that is wrong must be rejected
 * with its file and line ("rules.yaml:12: ..."), so the loaders walk this tree instead. JSON is a
 * subset of YAML, but JSON files are read with the JSON parser for exact error positions.
 */
public sealed interface Doc {
    /** Where the value starts, for error messages: "file:line". */
    String where();

    /** A plain value; {@code line} and {@code column} (1-based) are where its text starts in the file. */
    record Scalar(String where, String text, boolean isNull, int line, int column) implements Doc {
        public Scalar(String where, String text, boolean isNull) {
            this(where, text, isNull, 0, 0);
        }
    }

    record Seq(String where, List<Doc> items) implements Doc {}

    /** Insertion-ordered; keys keep their own location in {@link #keyWhere}. */
    record Mapping(String where, Map<String, Doc> entries, Map<String, String> keyWhere)
            implements Doc {
        public Optional<Doc> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        /** Rejects keys outside {@code known}, naming the key, its line and the keys that are allowed. */
        public Mapping onlyKeys(Set<String> known, String what) {
            for (String k : entries.keySet()) {
                if (!known.contains(k)) {
                    throw error(keyWhere.get(k), "unknown key '" + k + "' in " + what,
                            "use one of " + String.join(", ", known.stream().sorted().toList()));
                }
            }
            return this;
        }
    }

    /** Parses a file; YAML unless its name ends in ".json". */
    static Doc parse(Path file) {
        return parse(file.toString(), read(file, "check the path"), file.getFileName().toString().endsWith(".json"));
    }

    /** A file's text; a missing or unreadable file is a one-line error ending in {@code fix}. */
    static String read(Path file, String fix) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw TaskscopeException.runtime("cannot read " + file + ": no such file", fix);
        } catch (IOException e) {
            throw TaskscopeException.runtime("cannot read " + file + ": " + e.getMessage(), fix + " and its permissions");
        }
    }

    static Doc parse(String name, String text, boolean json) {
        try (JsonParser p = json ? new JsonMapper().getFactory().createParser(text)
                : new YAMLFactory().createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) return new Mapping(name + ":1", Map.of(), Map.of());
            Doc d = read(p, name);
            return d;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw TaskscopeException.runtime(name + ":" + line + ": not valid " + (json ? "JSON" : "YAML") + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), "fix the syntax at that line");
        } catch (IOException e) {
            throw TaskscopeException.runtime("cannot read " + name + ": " + e.getMessage(), "check the file");
        }
    }

    private static Doc read(JsonParser p, String name) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        int column = p.currentTokenLocation().getColumnNr();
        String where = name + ":" + line;
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                var entries = new LinkedHashMap<String, Doc>();
                var keys = new LinkedHashMap<String, String>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String keyWhere = name + ":" + p.currentTokenLocation().getLineNr();
                    if (entries.containsKey(key)) {
                        throw error(keyWhere, "key '" + key + "' appears twice", "keep one of them");
                    }
                    p.nextToken();
                    entries.put(key, read(p, name));
                    keys.put(key, keyWhere);
                }
                return new Mapping(where, entries, keys);
            }
            case START_ARRAY -> {
                List<Doc> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) items.add(read(p, name));
                return new Seq(where, items);
            }
            case VALUE_NULL -> {
                return new Scalar(where, "", true, line, column);
            }
            default -> {
                return new Scalar(where, p.getText(), false, line, column);
            }
        }
    }

    static TaskscopeException error(String where, String problem, String fix) {
        return TaskscopeException.runtime(where + ": " + problem, fix);
    }

    // ---- typed accessors used by the loaders; each failure names the line ----

    default Mapping asMap(String what) {
        if (this instanceof Mapping m) return m;
        throw error(where(), what + " must be a mapping (key: value)", "write it as 'key: value' lines");
    }

    /** A scalar, or each scalar of a sequence: "x" and ["x", "y"] both work where a set is expected. */
    default List<Scalar> asScalars(String what) {
        if (this instanceof Scalar s) return List.of(s);
        if (this instanceof Seq q) {
            List<Scalar> out = new ArrayList<>();
            for (Doc d : q.items()) {
                if (!(d instanceof Scalar s)) {
                    throw error(d.where(), what + " must be a list of plain values", "remove the nested structure");
                }
                out.add(s);
            }
            return out;
        }
        throw error(where(), what + " must be a value or a list of values", "write 'x' or [x, y]");
    }

    default String asText(String what) {
        if (this instanceof Scalar s && !s.isNull()) return s.text();
        throw error(where(), what + " must be a single value", "write 'key: value'");
    }

    default boolean asBool(String what) {
        String t = asText(what);
        return switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(where(), what + " must be true or false, not '" + t + "'", "write true or false");
        };
    }

    default long asLong(String what, long min, long max) {
        String t = asText(what);
        try {
            long v = Long.parseLong(t.trim());
            if (v < min || v > max) {
                throw error(where(), what + " must be between " + min + " and " + max + ", not " + v, "pick a value in range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw error(where(), what + " must be a whole number, not '" + t + "'", "write a number");
        }
    }
}
