package io.taskscope.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in web app for agent tests: agent/src/test/c/agentload.c in its own mount namespace (so
 * that taskscope groups it as a container of its own) with a private tmpfs on /var/www/html, where
 * it looks for missing files and rewrites shell.php in a loop.
 *
 * <p>It is started detached from the test JVM (re-parented to init): a child of the JVM is waited for
 * by the JVM's process reaper thread, and a waitpid from any thread of a tracer's process can consume
 * that tracee's ptrace stops. The agent never traces its own children in production; tests must not
 * either. {@link #killAll()} SIGKILLs what was started.
 */
public final class WebApp {
    private final ProcessHandle process;
    private final Path output;

    private WebApp(ProcessHandle process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts agentload sleeping {@code sleepUs} between iterations, reporting every {@code report}. */
    public static WebApp start(Path dir, long sleepUs, int report) throws IOException, InterruptedException {
        Prereq.requireRoot();
        Prereq.requireCommand("unshare");
        Prereq.require(Files.isDirectory(Path.of("/var/www/html")), "/var/www/html (nginx-light creates it)");
        Path bin = CPrograms.binary("agentload");
        Path out = dir.resolve("webapp-" + System.nanoTime() + ".out");
        String inner = "mount -t tmpfs tmpfs /var/www/html && exec " + bin + " /var/www/html " + sleepUs + " " + report;
        ProcessHandle h = CPrograms.startShell("exec unshare --mount --propagation private sh -c '" + inner + "'", out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && !h.info().command().orElse("").endsWith("/agentload")) Thread.sleep(10);
        return new WebApp(h, out);
    }

    /**
     * Starts test program {@code name} (agent/src/test/c) with {@code args} in a mount namespace of its own, so
     * that the agent sees it as a container of its own (a process in the JVM's own namespace is never traced).
     */
    public static ProcessHandle isolated(Path dir, String name, String... args) throws InterruptedException {
        Prereq.requireRoot();
        Prereq.requireCommand("unshare");
        Path bin = CPrograms.binary(name);
        StringBuilder cmd = new StringBuilder("exec ").append(bin);
        for (String a : args) cmd.append(' ').append(a);
        ProcessHandle h = CPrograms.startShell("exec unshare --mount --propagation private sh -c '" + cmd + "'",
                dir.resolve(name + "-" + System.nanoTime() + ".out"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && !h.info().command().orElse("").endsWith("/" + name)) Thread.sleep(10);
        return h;
    }

    /** A regex that selects this binary's processes by command line (TASKSCOPE_COMMAND). */
    public static String commandPattern() {
        return java.util.regex.Pattern.quote(CPrograms.binary("agentload").toString());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last "iterations max_us" report, or {0, 0}. */
    public long[] progress() throws IOException {
        List<String> lines = Files.readAllLines(output);
        for (int i = lines.size() - 1; i >= 0; i--) {
            String[] f = lines.get(i).strip().split(" ");
            if (f.length == 2) {
                try {
                    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
                } catch (NumberFormatException e) {
                    // a partial line
                }
            }
        }
        return new long[] {0, 0};
    }

    /** Every report so far as {iterations, max_us}. */
    public List<long[]> reports() throws IOException {
        return Files.readAllLines(output).stream().map(l -> l.strip().split(" ")).filter(f -> f.length == 2)
                .map(f -> new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])}).toList();
    }

    public static void killAll() {
        CPrograms.killAll();
    }
}
