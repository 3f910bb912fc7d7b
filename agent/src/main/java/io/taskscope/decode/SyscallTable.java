package io.taskscope.decode;

import io.taskscope.linux.Arch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An architecture's syscalls by number and by name, loaded from the table that
 * {@code tools/gen-syscalls.py} generates from the kernel's headers and strace's class facts.
 * Lookups by number are an array index: the tracer does one per stop.
 */
public final class SyscallTable {
    private static final Map<Arch, SyscallTable> CACHE = new EnumMap<>(Arch.class);

    private final Arch arch;
    private final Syscall[] byNumber;
    private final Map<String, Syscall> byName = new HashMap<>();
    private final List<Syscall> all;

    private SyscallTable(Arch arch, List<Syscall> rows) {
        this.arch = arch;
        int max = rows.stream().mapToInt(Syscall::number).max().orElse(0);
        byNumber = new Syscall[max + 1];
        for (Syscall s : rows) {
            byNumber[s.number()] = s;
            byName.putIfAbsent(s.name(), s);
        }
        all = Collections.unmodifiableList(rows);
    }

    /** The table of the given architecture (loaded once). */
    public static synchronized SyscallTable of(Arch arch) {
        return CACHE.computeIfAbsent(arch, SyscallTable::load);
    }

    /** The table of the architecture taskscope runs on; tracees of that architecture use it. */
    public static SyscallTable current() {
        return of(Arch.current());
    }

    private static SyscallTable load(Arch arch) {
        String resource = "syscalls-" + arch.name().toLowerCase(java.util.Locale.ROOT) + ".tsv";
        List<Syscall> rows = new ArrayList<>();
        try (var in = SyscallTable.class.getResourceAsStream(resource);
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t");
                Set<String> classes = f[3].equals("-") ? Set.of() : Set.of(f[3].split(","));
                rows.add(new Syscall(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), classes));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SyscallTable(arch, rows);
    }

    public Arch arch() {
        return arch;
    }

    /** One more than the highest syscall number: the size of a selection array. */
    public int size() {
        return byNumber.length;
    }

    public Optional<Syscall> byNumber(long nr) {
        return nr >= 0 && nr < byNumber.length ? Optional.ofNullable(byNumber[(int) nr]) : Optional.empty();
    }

    /** The name, or "syscall_0x1c3" for a number the table does not know (strace's spelling). */
    public String name(long nr) {
        Syscall s = nr >= 0 && nr < byNumber.length ? byNumber[(int) nr] : null;
        return s != null ? s.name() : "syscall_0x" + Long.toHexString(nr);
    }

    public Optional<Syscall> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Syscall> all() {
        return all;
    }
}
