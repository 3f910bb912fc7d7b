package io.taskscope.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One line of /proc/PID/maps: {@code start-end perms offset major:minor inode path}.
 *
 * @param path the mapped file as the target's mount namespace names it, or "" for anonymous mappings
 */
public record Mapping(long start, long end, String perms, long offset, long inode, String path) {
    private static final String DELETED = " (deleted)";

    public static Optional<Mapping> parse(String line) {
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5) return Optional.empty();
        int dash = f[0].indexOf('-');
        if (dash < 0) return Optional.empty();
        try {
            String path = f.length == 6 ? f[5] : "";
            if (path.endsWith(DELETED)) path = path.substring(0, path.length() - DELETED.length());
            return Optional.of(new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                    Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], Long.parseUnsignedLong(f[2], 16),
                    Long.parseLong(f[4]), path));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static List<Mapping> read(int pid) throws IOException {
        List<Mapping> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"), StandardCharsets.UTF_8)) {
            parse(line).ifPresent(out::add);
        }
        return out;
    }

    public String baseName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
