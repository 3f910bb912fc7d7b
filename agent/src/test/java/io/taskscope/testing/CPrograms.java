package io.taskscope.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles the C programs under agent/src/test/c with gcc (once per JVM) and runs them as real
 * processes for integration tests. Every process started here is killed by {@link #killAll()}
 * (call it in @AfterEach/@AfterAll), also when it was left stopped.
 */
public final class CPrograms {
    private static final Path OUT;
    private static final List<ProcessHandle> started = new ArrayList<>();

    static {
        try {
            // Not under /tmp (nor a checkout that may be there): the agent escalates programs run from
            // world-writable directories (docs/modes.md), which would change what the tests see.
            Path base = Path.of("/var/lib/taskscope-test");
            try {
                Files.createDirectories(base);
            } catch (IOException e) {
                base = Path.of(System.getProperty("java.io.tmpdir")); // not root: the ptrace tests fail their prerequisite anyway
            }
            OUT = Files.createTempDirectory(base, "c-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(OUT)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException | RuntimeException e) {
                    // left for the next run's machine cleanup; nothing depends on it
                }
            }));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private CPrograms() {}

    /** The compiled binary of agent/src/test/c/NAME.c. */
    public static synchronized Path binary(String name) {
        Prereq.requireCommand("gcc");
        Path bin = OUT.resolve(name);
        if (Files.isExecutable(bin)) return bin;
        Path src = Prereq.projectRoot().resolve("agent/src/test/c/" + name + ".c");
        try {
            Process p = new ProcessBuilder("gcc", "-O1", "-pthread", "-o", bin.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException("gcc failed for " + src + ":\n" + out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return bin;
    }

    /**
     * Starts NAME with arguments as a neighbour, not as a child of this JVM: a shell starts it in
     * the background and exits, so init adopts it. (A tracer cannot trace children of its own
     * process: the JDK's reaper thread waits for them and would consume their ptrace stops.)
     * Output goes to a file next to the binary.
     */
    public static synchronized ProcessHandle start(String name, String... args) {
        StringBuilder cmd = new StringBuilder("exec ").append(quote(binary(name).toString()));
        for (String a : args) cmd.append(' ').append(quote(a));
        return startShell(cmd.toString(), OUT.resolve(name + "-" + System.nanoTime() + ".out"));
    }

    /** Runs a shell command line as a neighbour (see {@link #start}) and returns its process. */
    public static synchronized ProcessHandle startShell(String command, Path output) {
        try {
            Process sh = new ProcessBuilder("sh", "-c", "( " + command + " ) >" + quote(output.toString())
                    + " 2>&1 </dev/null & echo $!").redirectErrorStream(true).start();
            String pid = new String(sh.getInputStream().readAllBytes()).strip();
            sh.waitFor(5, TimeUnit.SECONDS);
            ProcessHandle h = ProcessHandle.of(Long.parseLong(pid)).orElseThrow(() -> new IllegalStateException(command + " ended at once"));
            started.add(h);
            startTimes.put(h.pid(), startTime(h.pid()));
            // Wait until the program itself runs (the subshell has exec'd it).
            for (int i = 0; i < 200 && h.info().command().map(c -> c.endsWith("/sh") || c.endsWith("/dash")).orElse(true); i++) {
                Thread.sleep(5);
            }
            return h;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Adds a process started elsewhere to the ones {@link #killAll()} ends. */
    public static synchronized void track(ProcessHandle p) {
        started.add(p);
        startTimes.put(p.pid(), startTime(p.pid()));
    }

    /** The directory compiled programs and their output live in. */
    public static Path dir() {
        return OUT;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * SIGKILLs every process started here and its descendants (works on stopped processes too). By
     * pid, with kill(1): ProcessHandle.destroyForcibly compares a start time the JDK took while the
     * pid was still the launching shell, and can refuse to kill the program that shell exec'd.
     */
    public static synchronized void killAll() {
        List<String> cmd = new ArrayList<>(List.of("kill", "-9"));
        for (ProcessHandle p : started) {
            if (!startTimes.containsKey(p.pid()) || startTimes.get(p.pid()) != startTime(p.pid())) continue; // pid reused
            p.descendants().forEach(d -> cmd.add(Long.toString(d.pid())));
            cmd.add(Long.toString(p.pid()));
        }
        if (cmd.size() > 2) {
            try {
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // fall through to the JDK's way
            }
        }
        for (ProcessHandle p : started) {
            p.destroyForcibly();
            for (int i = 0; i < 100 && state(p.pid()) != '?' && state(p.pid()) != 'Z'; i++) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        started.clear();
        startTimes.clear();
    }

    private static final java.util.Map<Long, Long> startTimes = new java.util.HashMap<>();

    /** Field 22 of /proc/PID/stat (start time since boot), -1 when gone. */
    static long startTime(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The state letter of /proc/PID/stat (R, S, D, T, t, Z), or '?' when gone. */
    public static char state(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.charAt(s.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }

    /** TracerPid of /proc/PID/status, or -1 when gone. */
    public static int tracerPid(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("TracerPid:")) return Integer.parseInt(line.substring(10).strip());
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
