package io.taskscope.decode;

import io.taskscope.linux.Arch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named constants and flag sets, loaded from {@code xlat.tsv} (strace's xlat tables as data),
 * for one architecture. Prints flags strace's way: known names joined with '|' in table order,
 * then any unknown bits in hex.
 */
public final class Xlat {
    private record Entry(String name, long value) {}

    private final Map<String, List<Entry>> tables = new HashMap<>();

    /** The resources loaded, in order: the hand-written tables, then those tools/gen-xlat.py made from the headers. */
    static final List<String> FILES = List.of("xlat.tsv", "xlat-gen.tsv");

    private Xlat(Arch arch) {
        String archName = arch.name().toLowerCase(Locale.ROOT);
        for (String file : FILES) {
            try (var in = Xlat.class.getResourceAsStream(file)) {
                if (in == null) throw new IllegalStateException(file + " is missing from the jar");
                var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                int n = 0;
                for (String line; (line = r.readLine()) != null; ) {
                    n++;
                    if (line.startsWith("#") || line.isBlank()) continue;
                    String[] f = parseRow(file, n, line);
                    if (!f[3].equals("*") && !f[3].equals(archName)) continue;
                    tables.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new Entry(f[1], parse(f[2])));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * One row checked: four tab-separated fields (table, name, value, architecture), a number as value, a known
     * architecture. A broken row is a build mistake: it fails at load naming file and line (and in XlatDataTest).
     */
    static String[] parseRow(String file, int lineNo, String line) {
        String[] f = line.split("\t", -1);
        String why = f.length != 4 ? "needs 4 tab-separated fields (table, name, value, arch), has " + f.length
                : f[0].isEmpty() || f[1].isEmpty() ? "empty table or name"
                : !(f[3].equals("*") || f[3].equals("x86_64") || f[3].equals("aarch64")) ? "arch must be *, x86_64 or aarch64"
                : null;
        if (why == null) {
            try {
                parse(f[2]);
            } catch (NumberFormatException e) {
                why = "value " + f[2] + " is not a number (decimal, 0x hex or 0 octal)";
            }
        }
        if (why != null) throw new IllegalStateException(file + ":" + lineNo + ": " + why);
        return f;
    }

    /** Whether a table exists (for any architecture's rows loaded here). */
    public boolean has(String table) {
        return tables.containsKey(table);
    }

    private static final Map<Arch, Xlat> CACHE = new java.util.EnumMap<>(Arch.class);

    public static synchronized Xlat of(Arch arch) {
        return CACHE.computeIfAbsent(arch, Xlat::new);
    }

    static long parse(String v) {
        if (v.startsWith("0x")) return Long.parseUnsignedLong(v.substring(2), 16);
        if (v.length() > 1 && v.startsWith("0")) return Long.parseLong(v.substring(1), 8);
        return Long.parseLong(v);
    }

    private List<Entry> table(String name) {
        List<Entry> t = tables.get(name);
        if (t == null) throw new IllegalArgumentException("no xlat table " + name);
        return t;
    }

    /** The name of an exact value ("SEEK_END"), or null. */
    public String name(String table, long value) {
        for (Entry e : table(table)) if (e.value == value) return e.name;
        return null;
    }

    /** The name of an exact value, or {@code fallback} followed by the number as strace prints unknowns. */
    public String nameOr(String table, long value, String unknownPrefix) {
        String n = name(table, value);
        return n != null ? n : value < 0 || value > 9 ? "0x" + Long.toHexString(value) + unknownPrefix : value + unknownPrefix;
    }

    /**
     * Flags as "A|B|0x40"; composite entries (several bits) match only when all their bits are set.
     * Returns "" for no bits, so callers decide how zero prints ("0" or a table's zero name).
     */
    public String flags(String table, long value) {
        StringBuilder b = new StringBuilder();
        long rest = value;
        for (Entry e : table(table)) {
            if (e.value != 0 && (rest & e.value) == e.value && (value & e.value) == e.value) {
                if (b.length() > 0) b.append('|');
                b.append(e.name);
                rest &= ~e.value;
            }
        }
        if (rest != 0) {
            if (b.length() > 0) b.append('|');
            b.append("0x").append(Long.toHexString(rest));
        }
        return b.toString();
    }

    /** Flags, or "0" when none are set. */
    public String flagsOrZero(String table, long value) {
        String f = flags(table, value);
        return f.isEmpty() ? "0" : f;
    }
}
