package io.taskscope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A neighbour whose root file system is built to escape: a {@code sleep} chrooted into a tree
 * full of symlinks that point at a secret file of the monitor (outside the tree), in its own
 * mount and PID namespaces with its own /proc (so /proc/self/root magic links exist inside it).
 * Reading {@code /proc/PID/root/abs} naively returns the secret; taskscope must not.
 *
 * <p>Needs root and unshare. {@link #close()} kills the process (its namespaces go with it) and
 * deletes the tree.
 */
public final class HostileRoot implements AutoCloseable {
    public final Path dir;
    public final Path root;
    public final Path secret;
    public final String secretText;
    public final String insideText = "INSIDE THE TARGET\n";
    private final Process unshare;
    public final int pid;

    private HostileRoot(Path dir, Path root, Path secret, String secretText, Process unshare, int pid) {
        this.dir = dir;
        this.root = root;
        this.secret = secret;
        this.secretText = secretText;
        this.unshare = unshare;
        this.pid = pid;
    }

    public static HostileRoot start() throws IOException, InterruptedException {
        Prereq.requireRoot();
        Prereq.requireCommand("unshare");
        Path dir = Files.createTempDirectory("taskscope-hostile");
        Path secret = dir.resolve("monitor-secret.txt");
        String secretText = "MONITOR-SECRET-" + UUID.randomUUID() + "\n";
        Files.writeString(secret, secretText);
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("hostproc"));
        Files.createDirectories(root.resolve("usr"));
        Files.createDirectories(root.resolve("var/www/html"));
        Files.createDirectories(root.resolve("tmp"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www:/var/www:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nwww-data:x:33:\n");
        Files.writeString(root.resolve("var/www/html/index.php"), "<?php echo 'hello';\n");
        Files.writeString(root.resolve("inside.txt"), "INSIDE THE TARGET\n");
        String secretAbs = secret.toString();
        String secretRel = secretAbs.substring(1); // from "/" without the leading slash
        // The program the namespace runs needs its loader and libraries: usr is bind-mounted in.
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Files.createSymbolicLink(root.resolve("lib64"), Path.of("usr/lib64"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        // Escape attempts.
        Files.createSymbolicLink(root.resolve("abs"), Path.of(secretAbs));
        Files.createSymbolicLink(root.resolve("abs-inside"), Path.of("/inside.txt"));
        Files.createSymbolicLink(root.resolve("dotdot"), Path.of("../../../../../../../../" + secretRel));
        Files.createSymbolicLink(root.resolve("var/www/html/deep"), Path.of("../../../../../../../../../../" + secretRel));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../../.."));
        Files.createSymbolicLink(root.resolve("slash"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(root.resolve("loop2"), Path.of("loop1"));
        Files.createSymbolicLink(root.resolve("selfloop"), Path.of("selfloop/x"));
        Files.createSymbolicLink(root.resolve("magic"), Path.of("/proc/self/root" + secretAbs));
        Files.createSymbolicLink(root.resolve("magic1"), Path.of("/proc/1/root" + secretAbs));
        Files.createSymbolicLink(root.resolve("magiccwd"), Path.of("/proc/self/cwd"));
        Files.createSymbolicLink(root.resolve("race"), Path.of("inside.txt"));
        // A procfs of the PID namespace the reader shares (as /proc is in a pidMode task): /proc/self is the reader.
        Files.createSymbolicLink(root.resolve("selfenv"), Path.of("/hostproc/self/environ"));
        Files.createSymbolicLink(root.resolve("selfcmd"), Path.of("/hostproc/thread-self/cmdline"));
        Files.createSymbolicLink(root.resolve("procdir"), Path.of("/hostproc"));
        Process p = new ProcessBuilder("unshare", "--mount", "--pid", "--fork", "--kill-child", "--propagation", "private",
                "sh", "-c", "mount -t proc proc \"$0/proc\" && mount --bind /proc \"$0/hostproc\" && mount --bind /usr \"$0/usr\" "
                        + "&& exec chroot \"$0\" /usr/bin/sleep 600",
                root.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int child = -1;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) break;
            child = p.children().findFirst().map(ph -> (int) ph.pid()).orElse(-1);
            if (child > 0 && isChrootedSleep(child)) {
                return new HostileRoot(dir, root, secret, secretText, p, child);
            }
            Thread.sleep(20);
        }
        p.destroyForcibly();
        deleteTree(dir);
        throw new IllegalStateException("the hostile target did not start (unshare/chroot failed)");
    }

    private static boolean isChrootedSleep(int pid) {
        try {
            String comm = Files.readString(Path.of("/proc/" + pid + "/comm"), StandardCharsets.UTF_8).strip();
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
            boolean asleep = stat.substring(stat.lastIndexOf(')') + 2).startsWith("S"); // past ld.so: libc is mapped
            return comm.equals("sleep") && asleep
                    && !Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).toString().equals("/");
        } catch (IOException e) {
            return false;
        }
    }

    /** What a naive monitor would read: /proc/PID/root/NAME through the kernel's normal resolution. */
    public String naiveRead(String name) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/root/" + name));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        unshare.destroyForcibly();
        unshare.waitFor(10, TimeUnit.SECONDS);
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) Thread.sleep(20);
        deleteTree(dir);
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) { // walk does not follow symlinks by default
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
