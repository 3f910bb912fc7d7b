package io.taskscope.testing;

import io.taskscope.proc.ProcPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fixture {@code /proc} trees from {@code src/test/resources/procfs/<name>}, copied into a
 * temporary directory with their symbolic links made: each {@code links} file lists
 * {@code name target} pairs ({@code ns/mnt mnt:[4026532301]}, {@code root ../roots/web}) and
 * {@code self.link} holds the monitor's PID. Build tools copy resources without symlinks, hence
 * the indirection.
 */
public final class ProcFixture {
    private ProcFixture() {}

    public static ProcPath materialize(String name, Path dir) {
        try {
            java.net.URI uri = ProcFixture.class.getResource("/procfs/" + name).toURI();
            if ("jar".equals(uri.getScheme())) {
                // From cli's tests the fixtures sit in agent's test-jar.
                try {
                    java.nio.file.FileSystems.newFileSystem(uri, java.util.Map.of());
                } catch (java.nio.file.FileSystemAlreadyExistsException e) {
                    // opened by an earlier test
                }
            }
            Path src = Path.of(uri);
            Path dst = dir.resolve(name);
            if (Files.isDirectory(dst)) return ProcPath.of(dst);
            try (Stream<Path> files = Files.walk(src)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path to = dst.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(to);
                    else if (p.getFileName().toString().equals("links")) links(p, to.getParent());
                    else if (p.getFileName().toString().equals("self.link")) {
                        Files.createSymbolicLink(to.resolveSibling("self"), Path.of(Files.readString(p).strip()));
                    } else if (!p.getFileName().toString().equals(".keep")) Files.copy(p, to);
                }
            }
            return ProcPath.of(dst);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void links(Path list, Path pidDir) throws IOException {
        Files.createDirectories(pidDir);
        List<String> lines = Files.readAllLines(list);
        for (String line : lines) {
            if (line.isBlank()) continue;
            int sp = line.indexOf(' ');
            Path link = pidDir.resolve(line.substring(0, sp));
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(line.substring(sp + 1)));
        }
    }
}
