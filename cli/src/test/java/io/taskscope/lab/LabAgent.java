package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code taskscope agent} in the lab's monitor container, started the way the monitor's main process runs it: with
 * task-definition.json's monitor environment plus a test's extra variables, its stdout (the JSON events) in a file
 * of the monitor's /tmp, read from this host.
 */
final class LabAgent implements AutoCloseable {
    private final Lab lab;
    private final String name;
    private int pid;   // in the task's PID namespace
    private long offset;  // bytes of the output already parsed
    private final List<JsonNode> events = new ArrayList<>();

    private LabAgent(Lab lab, String name) {
        this.lab = lab;
        this.name = name;
    }

    /** The monitor's environment in task-definition.json: what "the agent as shipped" means. */
    static Map<String, String> shippedEnvironment() throws IOException {
        JsonNode def = Lab.JSON.readTree(Lab.ROOT.resolve("task-definition.json").toFile());
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode c : def.path("containerDefinitions")) {
            if (!c.path("name").asText().equals("monitor")) continue;
            c.path("environment").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        }
        assertTrue(env.containsKey("TASKSCOPE_CONTAINERS"), "task-definition.json's monitor selects containers: " + env);
        return env;
    }

    /**
     * Starts the agent with the shipped environment plus {@code extra} ("NAME=VALUE") and waits (bounded) until
     * every process of the containers it selects has a tracer.
     */
    static LabAgent start(Lab lab, String name, String... extra) throws Exception {
        LabAgent a = new LabAgent(lab, name);
        long t0 = System.nanoTime();
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                "env \"$@\" taskscope agent >/tmp/" + name + ".out 2>/tmp/" + name + ".err </dev/null & echo $!", "agent"));
        Map<String, String> env = shippedEnvironment();
        for (String e : extra) env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        Lab.Result r = lab.monitor(cmd.toArray(String[]::new));
        assertEquals(0, r.code(), r.out());
        a.pid = Integer.parseInt(r.out().strip());
        for (String c : env.get("TASKSCOPE_CONTAINERS").split(",")) a.awaitTraced(c.strip());
        System.out.println("LabAgent " + name + ": every selected process traced in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        return a;
    }

    int pid() {
        return pid;
    }

    /** Waits (bounded) until every process of a container has a tracer. */
    void awaitTraced(String container) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            List<Long> untraced = new ArrayList<>();
            for (long p : lab.hostPids(container)) {
                if (Procs.tracerPid(p) == 0 && Procs.exists(p)) untraced.add(p);
            }
            if (untraced.isEmpty()) return;
            assertTrue(System.nanoTime() < deadline, "not traced after 90 s in " + container + ": host PIDs " + untraced
                    + "; agent's stderr: " + stderr());
            Thread.sleep(200);
        }
    }

    /** The agent's events so far, one JSON object per line of its stdout (read on from where the last call ended). */
    synchronized List<JsonNode> events() throws IOException {
        Path out = lab.hostPath("monitor", "/tmp/" + name + ".out");
        if (!Files.exists(out)) return List.of();
        try (FileChannel ch = FileChannel.open(out)) {
            long size = ch.size();
            if (size > offset) {
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size - offset));
                while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                    // a whole read
                }
                byte[] bytes = b.array();
                int end = bytes.length;
                while (end > 0 && bytes[end - 1] != '\n') end--;  // the last line may be half written
                String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    if (!line.isEmpty()) events.add(Lab.JSON.readTree(line));
                }
                offset += end;
            }
        }
        return List.copyOf(events);
    }

    /** Waits (bounded) until the events hold one that matches; returns them. */
    List<JsonNode> awaitEvent(String what, int seconds, Predicate<JsonNode> match) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            List<JsonNode> ev = events();
            if (ev.stream().anyMatch(match)) return ev;
            assertTrue(System.nanoTime() < deadline, "no " + what + " in the agent's events within " + seconds + " s ("
                    + ev.size() + " events); stderr: " + stderr());
            Thread.sleep(250);
        }
    }

    String stderr() throws Exception {
        return String.join("\n", lab.monitorFile("/tmp/" + name + ".err"));
    }

    /** Sends a signal to the agent (TERM, KILL). */
    void signal(String sig) throws Exception {
        lab.monitor("kill", "-" + sig, Integer.toString(pid));
    }

    /** Waits (bounded) until the agent's process is gone. */
    void awaitExit(int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (lab.monitor("kill", "-0", Integer.toString(pid)).code() == 0) {
            assertTrue(System.nanoTime() < deadline, "the agent did not exit within " + seconds + " s: " + stderr());
            Thread.sleep(100);
        }
    }

    /** Stops it (TERM, then KILL after 10 s): never leaves an agent behind for the next test. */
    @Override
    public void close() throws Exception {
        if (lab.monitor("kill", "-0", Integer.toString(pid)).code() != 0) return;
        signal("TERM");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lab.monitor("kill", "-0", Integer.toString(pid)).code() == 0) {
            if (System.nanoTime() > deadline) {
                signal("KILL");
                break;
            }
            Thread.sleep(100);
        }
    }
}
