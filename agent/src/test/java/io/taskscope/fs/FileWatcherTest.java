package io.taskscope.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.FileChangeEvent;
import io.taskscope.testing.HostileRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FileWatcherTest {
    static HostileRoot target;

    @BeforeAll
    static void start() throws Exception {
        target = HostileRoot.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (target != null) target.close();
    }

    /** Waits for an event on {@code path} of {@code kind}, skipping others. */
    static FileChangeEvent await(LinkedBlockingQueue<FileChangeEvent> q, String path, FileChangeEvent.Kind kind) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            FileChangeEvent e = q.poll(100, TimeUnit.MILLISECONDS);
            if (e == null) continue;
            seen.append(e.kind()).append(' ').append(e.path()).append('\n');
            if (e.path().equals(path) && e.kind() == kind) return e;
        }
        throw new AssertionError("no " + kind + " " + path + "; saw:\n" + seen);
    }

    @Test
    void reportsChangesWithInContainerPathsRecursively() throws Exception {
        Path html = target.root.resolve("var/www/html");
        Path sub = html.resolve("uploads");
        var q = new LinkedBlockingQueue<FileChangeEvent>();
        try (FileWatcher w = FileWatcher.start(target.pid, "web", List.of("/var/www"), true, q::add)) {
            assertTrue(w.watchCount() >= 2, "www and html are watched");
            Files.writeString(html.resolve("shell.php"), "<?php system($_GET['c']);");
            FileChangeEvent created = await(q, "/var/www/html/shell.php", FileChangeEvent.Kind.CREATE);
            assertEquals("web", created.container());
            assertEquals(target.pid, created.pid());
            await(q, "/var/www/html/shell.php", FileChangeEvent.Kind.MODIFY);
            Files.createDirectory(sub);
            FileChangeEvent dir = await(q, "/var/www/html/uploads", FileChangeEvent.Kind.CREATE);
            assertTrue(dir.directory());
            Thread.sleep(200); // the new directory's watch is added on the watcher's thread
            Files.writeString(sub.resolve("x.php"), "x");
            await(q, "/var/www/html/uploads/x.php", FileChangeEvent.Kind.CREATE);
            Files.move(html.resolve("shell.php"), html.resolve("shell2.php"));
            await(q, "/var/www/html/shell.php", FileChangeEvent.Kind.MOVE_FROM);
            await(q, "/var/www/html/shell2.php", FileChangeEvent.Kind.MOVE_TO);
            Files.setPosixFilePermissions(html.resolve("shell2.php"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            await(q, "/var/www/html/shell2.php", FileChangeEvent.Kind.ATTRIB);
            Files.delete(html.resolve("shell2.php"));
            await(q, "/var/www/html/shell2.php", FileChangeEvent.Kind.DELETE);
        } finally {
            Files.deleteIfExists(html.resolve("shell.php"));
            Files.deleteIfExists(html.resolve("shell2.php"));
            Files.deleteIfExists(sub.resolve("x.php"));
            Files.deleteIfExists(sub);
        }
    }

    @Test
    void aWatchCannotBeLedOutOfTheRoot() {
        FsException e = assertThrows(FsException.class, () -> FileWatcher.start(target.pid, "web", List.of("/abs"), false, ev -> { }));
        assertEquals(FsException.Reason.ESCAPE_REFUSED, e.reason());
        FsException m = assertThrows(FsException.class, () -> FileWatcher.start(target.pid, "web", List.of("/magic1"), false, ev -> { }));
        assertEquals(FsException.Reason.MAGIC_LINK_REFUSED, m.reason());
    }
}
