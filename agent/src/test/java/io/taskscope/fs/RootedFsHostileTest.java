package io.taskscope.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.taskscope.testing.HostileRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every escape a neighbour can plant in its own root, against both resolvers: none may reveal
 * the monitor's secret, and each refusal says it was an escape.
 */
class RootedFsHostileTest {
    static HostileRoot target;

    @BeforeAll
    static void start() throws Exception {
        target = HostileRoot.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (target != null) target.close();
    }

    @Test
    void theAttacksWorkOnANaiveReader() throws Exception {
        // Sanity: the tree really is hostile, so the tests below prove something.
        assertEquals(target.secretText, target.naiveRead("abs"));
        assertEquals(target.secretText, target.naiveRead("dotdot"));
        assertEquals(target.secretText, target.naiveRead("magic"));
    }

    @ParameterizedTest
    @EnumSource(value = RootedFs.Mode.class, names = {"OPENAT2", "WALK"})
    void legitimatePathsAndInRootSymlinksWork(RootedFs.Mode mode) {
        try (RootedFs fs = RootedFs.open(target.pid, mode)) {
            assertEquals(mode == RootedFs.Mode.WALK ? "walk" : "openat2", fs.resolverName());
            assertEquals(target.insideText, text(fs, "/inside.txt"));
            assertEquals(target.insideText, text(fs, "abs-inside"), "absolute symlinks resolve inside the root");
            assertEquals(target.insideText, text(fs, "/slash/slash/inside.txt"));
            assertEquals(target.insideText, text(fs, "/up/inside.txt"), "'..' stops at the target's root");
            assertEquals(target.insideText, text(fs, "/../../../inside.txt"));
            FileInfo index = fs.stat("/var/www/html/index.php");
            assertEquals(FileType.FILE, index.type());
            FileInfo abs = fs.lstat("/abs");
            assertEquals(FileType.SYMLINK, abs.type());
            assertEquals(target.secret.toString(), abs.linkTarget(), "lstat describes the link, harmlessly");
            List<String> names = fs.list("/").stream().map(FileInfo::name).toList();
            assertTrue(names.containsAll(List.of("abs", "etc", "inside.txt", "var")), names.toString());
            assertTrue(fs.list("/up").stream().anyMatch(f -> f.name().equals("inside.txt")), "listing /up lists the root");
        }
    }

    @ParameterizedTest
    @EnumSource(value = RootedFs.Mode.class, names = {"OPENAT2", "WALK"})
    void absoluteAndDotDotEscapesAreRefused(RootedFs.Mode mode) {
        try (RootedFs fs = RootedFs.open(target.pid, mode)) {
            String rel = target.secret.toString().substring(1);
            for (String p : List.of("/abs", "dotdot", "/var/www/html/deep", "/up/" + rel, "../../../../" + rel,
                    "/slash/.." + target.secret)) {
                FsException e = assertThrows(FsException.class, () -> fs.read(p, 1 << 20), p);
                assertEquals(FsException.Reason.ESCAPE_REFUSED, e.reason(), p + ": " + e.oneLine());
                assertTrue(e.oneLine().contains("escape refused"), e.oneLine());
                assertFalse(e.oneLine().contains("MONITOR-SECRET"), e.oneLine());
            }
            FsException sha = assertThrows(FsException.class, () -> fs.sha256("/abs"));
            assertEquals(FsException.Reason.ESCAPE_REFUSED, sha.reason());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RootedFs.Mode.class, names = {"OPENAT2", "WALK"})
    void magicLinksAreRefused(RootedFs.Mode mode) {
        try (RootedFs fs = RootedFs.open(target.pid, mode)) {
            for (String p : List.of("/magic", "/magic1", "/magiccwd/inside.txt", "/proc/self/root" + target.secret,
                    "/proc/1/root/inside.txt", "/proc/self/cwd/etc/passwd")) {
                FsException e = assertThrows(FsException.class, () -> fs.read(p, 1 << 20), p);
                assertEquals(FsException.Reason.MAGIC_LINK_REFUSED, e.reason(), p + ": " + e.oneLine());
                assertTrue(e.oneLine().contains("escape refused") && e.oneLine().contains("magic link"), e.oneLine());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = RootedFs.Mode.class, names = {"OPENAT2", "WALK"})
    void linksIntoASharedProcNeverShowTheReader(RootedFs.Mode mode) throws Exception {
        // openat2's RESOLVE_NO_MAGICLINKS lets /proc/self through: it is an ordinary symlink, to the reader's PID.
        String ours = new String(Files.readAllBytes(Path.of("/proc/self/environ")), StandardCharsets.UTF_8);
        try (RootedFs fs = RootedFs.open(target.pid, mode)) {
            for (String p : List.of("/selfenv", "/selfcmd", "/hostproc/self/environ", "/procdir/self/environ")) {
                FsException e = assertThrows(FsException.class, () -> fs.read(p, 1 << 20), p);
                assertTrue(e.reason() == FsException.Reason.ESCAPE_REFUSED || e.reason() == FsException.Reason.MAGIC_LINK_REFUSED,
                        p + ": " + e.oneLine());
                assertFalse(e.oneLine().contains(ours.split("\0")[0]), e.oneLine());
            }
            FsException sha = assertThrows(FsException.class, () -> fs.sha256("/selfenv"));
            assertTrue(sha.oneLine().contains("escape refused"), sha.oneLine());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RootedFs.Mode.class, names = {"OPENAT2", "WALK"})
    void loopsAndNonDirectoriesFailClearly(RootedFs.Mode mode) {
        try (RootedFs fs = RootedFs.open(target.pid, mode)) {
            assertEquals(FsException.Reason.SYMLINK_LOOP, assertThrows(FsException.class, () -> fs.read("/loop1", 10)).reason());
            assertEquals(FsException.Reason.SYMLINK_LOOP, assertThrows(FsException.class, () -> fs.stat("/selfloop")).reason());
            assertEquals(FsException.Reason.NOT_A_DIRECTORY,
                    assertThrows(FsException.class, () -> fs.list("/inside.txt/x")).reason());
            assertEquals(FsException.Reason.NOT_A_DIRECTORY, assertThrows(FsException.class, () -> fs.list("/inside.txt")).reason());
            assertEquals(FsException.Reason.IS_A_DIRECTORY, assertThrows(FsException.class, () -> fs.read("/etc", 10)).reason());
            assertEquals(FsException.Reason.NOT_FOUND, assertThrows(FsException.class, () -> fs.stat("/nope")).reason());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RootedFs.Mode.class, names = {"OPENAT2", "WALK"})
    void aSymlinkSwappedDuringReadsNeverLeaks(RootedFs.Mode mode) throws Exception {
        Path link = target.root.resolve("race");
        Path tmp = target.root.resolve("race.tmp");
        AtomicBoolean stop = new AtomicBoolean();
        String rel = target.secret.toString().substring(1);
        Thread flipper = new Thread(() -> {
            String[] targets = {"inside.txt", target.secret.toString(), "../../../../../../" + rel, "/proc/self/root" + target.secret};
            int i = 0;
            while (!stop.get()) {
                try {
                    Files.deleteIfExists(tmp);
                    Files.createSymbolicLink(tmp, Path.of(targets[i++ % targets.length]));
                    Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (Exception e) {
                    // keep flipping
                }
            }
        });
        flipper.start();
        int inside = 0;
        try (RootedFs fs = RootedFs.open(target.pid, mode)) {
            for (int i = 0; i < 2000; i++) {
                try {
                    String s = text(fs, "/race");
                    if (s.contains("MONITOR-SECRET")) fail("leaked the monitor's secret through a swapped link");
                    inside++;
                } catch (FsException e) {
                    assertFalse(e.oneLine().contains("MONITOR-SECRET"));
                    assertTrue(e.reason() == FsException.Reason.ESCAPE_REFUSED || e.reason() == FsException.Reason.MAGIC_LINK_REFUSED
                            // the explanation is a second walk, which may see the link already flipped
                            || e.reason() == FsException.Reason.SYMLINK_LOOP || e.reason() == FsException.Reason.NOT_FOUND,
                            e.oneLine());
                }
            }
        } finally {
            stop.set(true);
            flipper.join();
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("inside.txt"));
        }
        assertTrue(inside > 0, "some reads landed on the legitimate target");
    }

    @ParameterizedTest
    @EnumSource(value = RootedFs.Mode.class, names = {"OPENAT2", "WALK"})
    void aWalkNeverLeavesTheRoot(RootedFs.Mode mode) throws Exception {
        try (RootedFs fs = RootedFs.open(target.pid, mode)) {
            StringBuilder seen = new StringBuilder();
            // The root holds a bind mount of the host's /usr: hash only below /var, list the rest shallowly.
            fs.walk("/var", RootedFs.WalkLimits.DEFAULT, true, e -> seen.append(e.info().path()).append(' ').append(e.sha256()).append('\n'));
            fs.walk("/", new RootedFs.WalkLimits(2, 10_000), false, e -> seen.append(e.info().path()).append('\n'));
            String all = seen.toString();
            assertTrue(all.contains("/var/www/html/index.php " + sha256("<?php echo 'hello';\n")), all);
            assertTrue(all.contains("\n/up\n") && !all.contains("/up/"), "symlinks are listed, not followed");
            assertFalse(all.contains(target.secret.getFileName().toString()), "the walk stayed inside: " + all);
            assertFalse(all.contains("/proc/1/"), "procfs is not walked");
        }
    }

    @Test
    void aFifoIsNeverOpened() throws Exception {
        Path fifo = target.root.resolve("tmp/fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        try (RootedFs fs = RootedFs.open(target.pid)) {
            FsException e = assertThrows(FsException.class, () -> fs.read("/tmp/fifo", 10));
            assertEquals(FsException.Reason.NOT_REGULAR, e.reason());
            assertEquals(FileType.FIFO, fs.stat("/tmp/fifo").type());
        } finally {
            Files.deleteIfExists(fifo);
        }
    }

    @Test
    void ownersComeFromTheTargetsOwnPasswd() throws Exception {
        Path f = target.root.resolve("var/www/html/index.php");
        Files.setAttribute(f, "unix:uid", 33);
        Files.setAttribute(f, "unix:gid", 33);
        try (RootedFs fs = RootedFs.open(target.pid)) {
            FileInfo info = fs.stat("/var/www/html/index.php");
            assertEquals("www-data", info.owner());
            assertEquals("www-data", info.group());
        }
    }

    @Test
    void goneAndBadTargetsSaySo() {
        FsException e = assertThrows(FsException.class, () -> RootedFs.open(999_999_999));
        assertEquals(FsException.Reason.TARGET_GONE, e.reason());
        assertTrue(e.oneLine().contains("does not exist"), e.oneLine());
    }

    static String sha256(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(RootedFs fs, String path) {
        return new String(fs.read(path, 1 << 20).bytes(), StandardCharsets.UTF_8);
    }
}
