package io.taskscope.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real runc container for tests: a root made of the host's {@code /usr} bind-mounted read-only
 * (Debian's /bin, /lib... are links into it) plus the test's own {@code /etc/passwd}, the
 * non-rootless spec of {@code runc spec}, cgroups at {@code /<id>} (runc's plain shape).
 *
 * <p>runc runs in the foreground as the container's parent, as a shim would, so exited
 * processes are reaped at once. {@link #close()} always runs {@code runc delete -f}.
 */
public final class RuncContainer implements AutoCloseable {
    private final String id;
    private final Process runc;
    private final int pid;

    private RuncContainer(String id, Process runc, int pid) {
        this.id = id;
        this.runc = runc;
        this.pid = pid;
    }

    /** A unique container ID for this test run: {@code <prefix>-<random>}. */
    public static String newId(String prefix) {
        return prefix + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 8);
    }

    /**
     * Starts {@code args} as uid/gid in a new container; {@code joinPidOf} (a host PID, or 0)
     * makes it join that process's PID namespace, like {@code --pid=container:X} or ECS's pidMode task.
     */
    public static RuncContainer start(Path workDir, String id, List<String> args, int uid, int gid, String passwd,
                                      int joinPidOf) throws IOException, InterruptedException {
        return launch(workDir, id, args, uid, gid, passwd, joinPidOf, false);
    }

    /**
     * As {@link #start}, but {@code runc create} only: the container is "created", its first process ({@link #pid()})
     * is {@code runc init} waiting for {@link #startCreated()} to exec {@code args}, as an engine leaves it between
     * create and start.
     */
    public static RuncContainer create(Path workDir, String id, List<String> args, int uid, int gid, String passwd,
                                       int joinPidOf) throws IOException, InterruptedException {
        return launch(workDir, id, args, uid, gid, passwd, joinPidOf, true);
    }

    /** {@code runc start} of a container made by {@link #create}: runc init execs the container's process. */
    public void startCreated() throws IOException, InterruptedException {
        run(Path.of("/"), "runc", "start", id);
    }

    private static RuncContainer launch(Path workDir, String id, List<String> args, int uid, int gid, String passwd,
                                        int joinPidOf, boolean createOnly) throws IOException, InterruptedException {
        Path runcBin = Prereq.requireCommand("runc");
        Path bundle = workDir.resolve(id);
        Path rootfs = bundle.resolve("rootfs");
        for (String d : new String[] {"proc", "dev", "sys", "tmp", "usr", "etc"}) Files.createDirectories(rootfs.resolve(d));
        for (String l : new String[] {"bin", "sbin", "lib", "lib64"}) Files.createSymbolicLink(rootfs.resolve(l), Path.of("usr/" + l));
        Files.writeString(rootfs.resolve("etc/passwd"), passwd);
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        run(bundle, runcBin.toString(), "spec");

        ObjectMapper m = new ObjectMapper();
        ObjectNode config = (ObjectNode) m.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode a = process.putArray("args");
        args.forEach(a::add);
        ObjectNode user = process.putObject("user");
        user.put("uid", uid);
        user.put("gid", gid);
        ObjectNode usr = ((ArrayNode) config.get("mounts")).addObject();
        usr.put("destination", "/usr");
        usr.put("type", "bind");
        usr.put("source", "/usr");
        usr.putArray("options").add("rbind").add("ro");
        ObjectNode linux = (ObjectNode) config.get("linux");
        linux.put("cgroupsPath", "/" + id);
        if (joinPidOf > 0) {
            for (var ns : linux.get("namespaces")) {
                if (ns.get("type").asText().equals("pid")) ((ObjectNode) ns).put("path", "/proc/" + joinPidOf + "/ns/pid");
            }
        }
        m.writeValue(bundle.resolve("config.json").toFile(), config);

        Path pidFile = bundle.resolve("pid");
        Process p = new ProcessBuilder(runcBin.toString(), createOnly ? "create" : "run", "-b", bundle.toString(),
                "--pid-file", pidFile.toString(), id)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(bundle.resolve("stdout").toFile())
                .redirectError(bundle.resolve("stderr").toFile())
                .start();
        RuncContainer c = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                if (Files.exists(pidFile) && !Files.readString(pidFile).isBlank()) {
                    c = new RuncContainer(id, p, Integer.parseInt(Files.readString(pidFile).strip()));
                    return c;
                }
                if (!p.isAlive() && !(createOnly && p.exitValue() == 0)) break;
                Thread.sleep(20);
            }
            throw new IOException("runc did not start " + id + ": " + Files.readString(bundle.resolve("stderr")));
        } finally {
            if (c == null) {
                delete(id);
                p.destroyForcibly();
            }
        }
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    }

    private static void delete(String id) {
        try {
            Process d = new ProcessBuilder("runc", "delete", "-f", id).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            d.waitFor(20, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing more we can do; the caller's assertion shows the first failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String id() {
        return id;
    }

    /** The container's first process, as the host sees it. */
    public int pid() {
        return pid;
    }

    @Override
    public void close() throws InterruptedException {
        delete(id);
        if (!runc.waitFor(20, TimeUnit.SECONDS)) runc.destroyForcibly();
    }
}
