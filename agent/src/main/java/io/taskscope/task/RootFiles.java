package io.taskscope.task;

import io.taskscope.proc.ProcPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a small file from a neighbour's root ({@code /proc/<pid>/root}). The neighbour controls
 * that tree, so: no symlink is followed at {@code etc} or at the file (a link could point at the
 * monitor's own files), only regular files are read, and at most 1 MiB.
 *
 * <p>The one place user-name lookups touch a neighbour's files: switch it to the fully rooted
 * resolver of package {@code fs} (openat2 RESOLVE_IN_ROOT) when that lands. Remaining gap until
 * then: a file swapped for a FIFO between the check and the open could block the open.
 */
final class RootFiles {
    static final int MAX_BYTES = 1 << 20;

    private RootFiles() {}

    /** The file {@code etc/<name>} under the root of {@code pid}, or empty when absent, unsafe or too big. */
    static Optional<byte[]> readEtc(ProcPath proc, int pid, String name) {
        Path root = proc.file(pid, "root");
        Path etc = root.resolve("etc");
        Path file = etc.resolve(name);
        try {
            BasicFileAttributes dir = Files.readAttributes(etc, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!dir.isDirectory()) return Optional.empty();
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() > MAX_BYTES) return Optional.empty();
            // NOFOLLOW_LINKS on open is O_NOFOLLOW: a link swapped in after the check fails with ELOOP.
            try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(MAX_BYTES + 1L, Math.max(a.size() + 1, 4096)));
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // keep reading: the file may have grown since the check; the buffer caps it
                }
                if (buf.position() > MAX_BYTES) return Optional.empty();
                byte[] out = new byte[buf.position()];
                buf.flip().get(out);
                return Optional.of(out);
            }
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
