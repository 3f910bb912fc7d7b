package io.taskscope.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cached libjnidispatch is used only where nobody else could have replaced it: it runs as root. */
class NativeBootTest {
    @TempDir Path tmp;

    private Path cache() throws Exception {
        Path cache = Files.createDirectory(tmp.resolve("cache"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        return cache;
    }

    @Test
    void unpacksOnceIntoAPrivateDirectoryAndReusesIt() throws Exception {
        Path cache = cache();
        Path dir = NativeBoot.cachedDispatchDir(cache);
        assertNotNull(dir, "a fresh private cache is trusted");
        Path lib = dir.resolve("libjnidispatch.so");
        assertTrue(Files.size(lib) > 10_000, "the library was written whole");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib)));
        var written = Files.getLastModifiedTime(lib);
        assertEquals(dir, NativeBoot.cachedDispatchDir(cache), "the second start finds it");
        assertEquals(written, Files.getLastModifiedTime(lib), "and does not write it again");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left beside it");
        }
    }

    @Test
    void aCacheOthersCanWriteIsNotUsed() throws Exception {
        Path cache = cache();
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNull(NativeBoot.cachedDispatchDir(cache), "a world-writable cache (e.g. TASKSCOPE_CACHE=/tmp) is refused");
    }

    @Test
    void aReplacedLibraryIsNotUsed() throws Exception {
        Path cache = cache();
        Path dir = NativeBoot.cachedDispatchDir(cache);
        Path lib = dir.resolve("libjnidispatch.so");
        Files.delete(lib);
        Path elsewhere = Files.writeString(tmp.resolve("evil.so"), "not a library");
        Files.createSymbolicLink(lib, elsewhere);
        assertNull(NativeBoot.cachedDispatchDir(cache), "a symlink in place of the library is refused");

        Files.delete(lib);
        Files.writeString(lib, "short");
        assertNull(NativeBoot.cachedDispatchDir(cache), "a file of the wrong size is refused");
    }

    @Test
    void aDirectoryOwnedBySomebodyElseIsNotUsed() throws Exception {
        Prereq.requireRoot();
        Path cache = cache();
        Path dir = NativeBoot.cachedDispatchDir(cache);
        Files.setAttribute(dir, "unix:uid", 65534);
        assertNull(NativeBoot.cachedDispatchDir(cache), "a directory nobody (65534) owns is refused");
    }
}
