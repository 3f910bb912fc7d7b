package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.testing.Prereq;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * One runc lab (images/lab/lab.sh) of a test class's own, with the shaded jar the build just made: up, commands in
 * its containers, requests from inside its network namespace, and a down that checks nothing is left.
 */
final class Lab {
    static final Path ROOT = Prereq.projectRoot();
    static final Path SCRIPT = ROOT.resolve("images/lab/lab.sh");
    static final Path JAR = ROOT.resolve("cli/target/taskscope.jar");
    static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out) {}

    /** The lab's id: the test JVM's PID after a prefix, so that a developer's lab (or another test's) is left alone. */
    final String id;

    Lab(String prefix) {
        this.id = prefix + ProcessHandle.current().pid();
    }

    ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TSLAB_ID", id);
        pb.environment().put("TSLAB_JAR", JAR.toString());
        pb.environment().put("TSLAB_STATE", ROOT.resolve(".lab").toString());
        pb.environment().put("TSLAB_READY_TIMEOUT", "40");  // CI machines are shared: generous, still bounded
        return pb;
    }

    /** lab.sh with these arguments, stdin empty, bounded to 120 s. */
    Result run(String... args) throws IOException, InterruptedException {
        return run(command(args));
    }

    static Result run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        if (pb.redirectInput() == ProcessBuilder.Redirect.PIPE) p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", pb.command()) + " did not finish in 120 s: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** A command in one of the lab's containers (runc exec). */
    Result exec(String container, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(command));
        return run(args.toArray(String[]::new));
    }

    Result monitor(String... command) throws IOException, InterruptedException {
        return exec("monitor", command);
    }

    /** Writes bytes to a file in a container, through the container's own tee (no shell). */
    void write(String container, String path, Path content) throws IOException, InterruptedException {
        Result r = run(command("exec", container, "tee", path).redirectInput(content.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD));
        assertEquals(0, r.code(), "writing " + container + ":" + path);
    }

    /** The lab's prerequisites (root, runc, nginx, php-fpm...): skipped without them, failed under CI=true. */
    static void requirePrereqs() {
        Prereq.requireRoot();
        for (String c : List.of("runc", "jq", "gcc", "nsenter", "ip", "curl", "nginx", "php-fpm8.2", "java")) {
            Prereq.requireCommand(c);
        }
        Prereq.require(Files.isReadable(JAR), "the shaded jar " + JAR + " (mvn package builds it before this test)");
    }

    void up() throws IOException, InterruptedException {
        requirePrereqs();
        Result r = run("up");
        assertEquals(0, r.code(), "lab.sh up failed:\n" + r.out());
    }

    /** Down twice (idempotent), then no runc container and no mount of this lab may be left. */
    void down() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) return;
        Result first = run("down");
        Result second = run("down");
        assertEquals(0, first.code(), first.out());
        assertEquals(0, second.code(), "down twice: " + second.out());
        Process list = new ProcessBuilder("runc", "list", "-q").redirectErrorStream(true).start();
        String ids = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor(30, TimeUnit.SECONDS);
        assertFalse(ids.contains("tslab-" + id + "-"), "runc containers left: " + ids);
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains("/.lab/" + id + "/"), "mounts left below the lab's state");
    }

    /** taskscope ps --json in the monitor: every process of the task. */
    List<JsonNode> processes() throws Exception {
        Result r = monitor("taskscope", "ps", "--json");
        assertEquals(0, r.code(), r.out());
        JsonNode root = JSON.readTree(r.out().substring(r.out().indexOf('{')));
        return StreamSupport.stream(root.get("processes").spliterator(), false).toList();
    }

    /** Lines of a file inside the monitor container. */
    List<String> monitorFile(String path) throws Exception {
        Result r = monitor("cat", path);
        return r.code() == 0 ? r.out().lines().toList() : List.of();
    }

    /** Where a file of a container's root filesystem is on this host (the lab's own state, nothing mounted over it). */
    Path hostPath(String container, String path) {
        return ROOT.resolve(".lab").resolve(id).resolve(container).resolve("rootfs").resolve(path.replaceFirst("^/+", ""));
    }

    /** The host PID of a container's first process (0 when it is not running). */
    long hostPid(String container) throws IOException, InterruptedException {
        Result r = run(new ProcessBuilder("runc", "state", "tslab-" + id + "-" + container).redirectErrorStream(true));
        if (r.code() != 0) return 0;
        return JSON.readTree(r.out()).path("pid").asLong();
    }

    /** Host PIDs of a container's processes. */
    List<Long> hostPids(String container) throws IOException, InterruptedException {
        Result r = run(new ProcessBuilder("runc", "ps", "--format", "json", "tslab-" + id + "-" + container)
                .redirectErrorStream(true));
        assertEquals(0, r.code(), r.out());
        List<Long> out = new ArrayList<>();
        JSON.readTree(r.out()).forEach(n -> out.add(n.asLong()));
        return out;
    }

    /** The task's network namespace (the pause container's), for commands run from this host into it. */
    String netns() throws IOException, InterruptedException {
        return "/proc/" + hostPid("pause") + "/ns/net";
    }
}
