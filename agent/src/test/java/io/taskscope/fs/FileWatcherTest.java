package io.taskscope.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.FileChangeEvent;
import io.taskscope.testing.HostileRoot;
import io.taskscope.testing.Prereq;
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

    /** Runs a command inside the target's mount namespace and root, as a process of that container would. */
    static void inTarget(String... cmd) throws Exception {
        List<String> full = new java.util.ArrayList<>(List.of("nsenter", "-t", Integer.toString(target.pid), "-m", "-r", "--"));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "ran: " + full);
        assertEquals(0, p.exitValue(), "exit status of " + full);
    }

    /** Every event that arrives within {@code millis}. */
    static List<FileChangeEvent> drain(LinkedBlockingQueue<FileChangeEvent> q, long millis) throws InterruptedException {
        List<FileChangeEvent> out = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            FileChangeEvent e = q.poll(20, TimeUnit.MILLISECONDS);
            if (e != null) out.add(e);
        }
        return out;
    }

    static long count(List<FileChangeEvent> events, String path, FileChangeEvent.Kind kind) {
        return events.stream().filter(e -> e.path().equals(path) && e.kind() == kind).count();
    }

    @Test
    void sensitiveFilesReadInTheNeighboursRootAreEventsWithoutAnyStop() throws Exception {
        Prereq.requireCommand("nsenter");
        Path shadow = target.root.resolve("etc/shadow");
        Path ssh = target.root.resolve("root/.ssh");
        Files.writeString(shadow, "root:*:19000:0:99999:7:::\n".repeat(200));
        var q = new LinkedBlockingQueue<FileChangeEvent>();
        try (FileWatcher w = FileWatcher.sensitive(target.pid, "app", List.of("/etc/shadow", "/root/.ssh", "/nonexistent/x"), q::add)) {
            assertEquals(List.of("/etc/shadow"), w.watchedPaths(), "missing paths are skipped silently");

            inTarget("cat", "/etc/shadow");
            List<FileChangeEvent> read = drain(q, 500);
            assertEquals(1, count(read, "/etc/shadow", FileChangeEvent.Kind.OPEN), read.toString());
            assertTrue(count(read, "/etc/shadow", FileChangeEvent.Kind.ACCESS) <= 1, read.toString());
            FileChangeEvent open = read.get(0);
            assertEquals("app", open.container());
            assertEquals(target.pid, open.pid(), "the watched root's process: inotify does not say who read");

            inTarget("cat", "/etc/passwd"); // the near miss
            assertEquals(List.of(), drain(q, 300), "a file not on the list is no event");

            inTarget("dd", "if=/etc/shadow", "bs=16"); // ~350 reads: one event
            List<FileChangeEvent> loop = drain(q, 500);
            assertEquals(1, count(loop, "/etc/shadow", FileChangeEvent.Kind.OPEN), loop.toString());
            assertEquals(1, count(loop, "/etc/shadow", FileChangeEvent.Kind.ACCESS), loop.toString());

            // passwd's way of changing it: a new file renamed over the old one; the new file is watched at once
            Files.writeString(target.root.resolve("etc/nshadow"), "root:!:19001:0:99999:7:::\n");
            Files.move(target.root.resolve("etc/nshadow"), shadow, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            drain(q, 300);
            inTarget("cat", "/etc/shadow");
            List<FileChangeEvent> again = drain(q, 500);
            assertEquals(1, count(again, "/etc/shadow", FileChangeEvent.Kind.OPEN), again.toString());

            // a directory that appears later is picked up at the next rewatch; an open of a file in it is an event
            Files.createDirectories(ssh);
            Files.writeString(ssh.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
            assertEquals(1, w.rewatch(), "only /nonexistent/x is still missing");
            assertEquals(List.of("/etc/shadow", "/root/.ssh"), w.watchedPaths());
            drain(q, 200);
            inTarget("cat", "/root/.ssh/id_ed25519");
            List<FileChangeEvent> key = drain(q, 500);
            assertEquals(1, count(key, "/root/.ssh/id_ed25519", FileChangeEvent.Kind.OPEN), key.toString());
            inTarget("ls", "/root/.ssh");
            List<FileChangeEvent> listed = drain(q, 500);
            assertEquals(1, count(listed, "/root/.ssh", FileChangeEvent.Kind.OPEN), listed.toString());
            assertTrue(listed.stream().allMatch(e -> e.directory()), listed.toString());
        } finally {
            Files.deleteIfExists(shadow);
            Files.deleteIfExists(ssh.resolve("id_ed25519"));
            Files.deleteIfExists(ssh);
            Files.deleteIfExists(ssh.getParent());
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
