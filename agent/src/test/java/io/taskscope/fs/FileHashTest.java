package io.taskscope.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 12, item 8: hashing a neighbour's sparse files is bounded, interruptible, and still sha256sum's digest. */
class FileHashTest {
    static Path dir;
    static int pid;

    @BeforeAll
    static void start() throws Exception {
        Prereq.requireRoot();
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "taskscope-hash");
        pid = (int) CPrograms.startShell("exec sleep 120", dir.resolve("sleep.out")).pid();
    }

    @AfterAll
    static void stop() throws Exception {
        CPrograms.killAll();
        if (dir != null) io.taskscope.testing.HostileRoot.deleteTree(dir);
    }

    static Path sparse(String name, long size, long... dataAt) throws Exception {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            for (long at : dataAt) {
                f.seek(at);
                f.write(("data at " + at + "\n").getBytes());
            }
        }
        return p;
    }

    @Test
    void sparseFilesHashAsSha256sumDoes() throws Exception {
        Path p = sparse("sparse-64m", 64L << 20, 0, 5_000_000, 40L << 20);
        String expected;
        Process sum = new ProcessBuilder("sha256sum", p.toString()).start();
        expected = new String(sum.getInputStream().readAllBytes()).split(" ")[0];
        assertEquals(0, sum.waitFor());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(p));
        assertEquals(HexFormat.of().formatHex(md.digest()), expected);
        Path tail = sparse("data-then-hole", 3L << 20, 100);
        Path empty = sparse("empty", 0);
        try (RootedFs fs = RootedFs.open(pid)) {
            assertEquals(expected, fs.sha256(p.toString()));
            md.update(Files.readAllBytes(tail));
            assertEquals(HexFormat.of().formatHex(md.digest()), fs.sha256(tail.toString()), "a trailing hole is zeros");
            md.update(new byte[0]);
            assertEquals(HexFormat.of().formatHex(md.digest()), fs.sha256(empty.toString()));
        }
    }

    @Test
    void aHugeSparseFileIsNotHashedAndSaysWhyAtOnce() throws Exception {
        Path huge = sparse("huge", 8L << 40, 1L << 40); // 8 TiB, one block of data
        Files.writeString(dir.resolve("small.txt"), "small\n");
        try (RootedFs fs = RootedFs.open(pid)) {
            long t0 = System.nanoTime();
            FsException e = assertThrows(FsException.class, () -> fs.sha256(huge.toString(), FileHash.DEFAULT_MAX_COMMAND));
            assertEquals(FsException.Reason.TOO_LARGE, e.reason());
            assertTrue(e.oneLine().contains("not hashed") && e.oneLine().contains("larger than 1 GiB"), e.oneLine());
            List<RootedFs.Entry> seen = new ArrayList<>();
            fs.walk(dir.toString(), RootedFs.WalkLimits.DEFAULT, true, seen::add);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 2000, "took " + ms + " ms");
            RootedFs.Entry h = seen.stream().filter(x -> x.info().name().equals("huge")).findFirst().orElseThrow();
            assertNull(h.sha256());
            assertEquals("larger than 1 GiB", h.notHashed());
            RootedFs.Entry s = seen.stream().filter(x -> x.info().name().equals("small.txt")).findFirst().orElseThrow();
            assertEquals(64, s.sha256().length());
            Snapshot snap = Snapshot.take(fs, "t", dir.toString(), RootedFs.WalkLimits.DEFAULT);
            assertTrue(snap.toJson().contains("\"notHashed\" : \"larger than 1 GiB\""), snap.toJson());
        }
    }

    @Test
    void aLongHashIsInterruptible() throws Exception {
        Path big = sparse("big", 64L << 30, 0); // 64 GiB of zeros for the digest: minutes of work
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (RootedFs fs = RootedFs.open(pid)) {
                fs.sha256(big.toString());
            } catch (Throwable x) {
                thrown.set(x);
            }
        });
        t.start();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        t.interrupt();
        t.join(5000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(!t.isAlive(), "still hashing " + ms + " ms after the interrupt");
        assertTrue(thrown.get() instanceof FsException f && f.oneLine().contains("interrupted"), String.valueOf(thrown.get()));
        assertTrue(ms < 1000, ms + " ms");
    }
}
