package io.taskscope.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.taskscope.cli.Main;
import io.taskscope.proc.NsType;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.task.Container;
import io.taskscope.task.EcsMetadataClient;
import io.taskscope.task.NamespaceReport;
import io.taskscope.task.Task;
import io.taskscope.testing.Prereq;
import io.taskscope.testing.RuncContainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ps and ns on real namespaces, as root: a nested PID namespace made by unshare, and two runc
 * containers sharing one PID namespace (the local replica of an ECS task with pidMode task).
 */
class ContainersIntegrationTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        String line(String contains) {
            return out.lines().filter(l -> l.contains(contains)).findFirst()
                    .orElseThrow(() -> new AssertionError("'" + contains + "' not in\n" + out + err));
        }
    }

    static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** The first child of {@code parent}, waiting for it to appear. */
    static int childOf(long parent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> c = ProcessHandle.of(parent).flatMap(p -> p.children().findFirst());
            if (c.isPresent()) return (int) c.get().pid();
            Thread.sleep(10);
        }
        throw new AssertionError("no child of " + parent);
    }

    @Test
    void unshareNestedPidNamespaceShowsBothPidsAndSeparateNamespaces() throws Exception {
        Prereq.requireRoot();
        Path unshare = Prereq.requireCommand("unshare");
        Process p = new ProcessBuilder(unshare.toString(), "--pid", "--mount", "--fork", "--mount-proc", "sleep", "600")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int sleep = 0;
        try {
            sleep = childOf(p.pid());
            // unshare forks before exec'ing sleep: wait until the child is sleep itself.
            for (int i = 0; i < 500 && !ProcessHandle.of(sleep).flatMap(h -> h.info().command()).orElse("").endsWith("sleep"); i++) {
                Thread.sleep(10);
            }
            Task task = Task.snapshot(ProcPath.system(), Optional.empty());
            ProcessInfo info = task.process(sleep).orElseThrow();
            assertEquals(List.of(sleep, 1), info.nspid(), "outer PID, then PID 1 inside the new namespace");
            Container c = task.containerOf(sleep).orElseThrow();
            assertFalse(c.self(), "its own mount namespace makes it another container");

            Result ps = run("ps", "-p", Integer.toString(sleep));
            assertEquals(0, ps.code(), ps.err());
            assertTrue(ps.out().lines().findFirst().orElseThrow().contains("NSPID"), ps.out());
            assertTrue(ps.line("sleep 600").matches("root +" + sleep + " +1 .*"), ps.out());

            // unshare itself moved into the new mount namespace, so it is the group's oldest process: it
            // stays in our PID namespace and only its children (sleep) are in the new one.
            assertEquals("unshare", c.name());
            assertEquals(List.of((int) p.pid(), sleep), c.pids());
            NamespaceReport report = NamespaceReport.of(task);
            var mine = report.containers().stream().filter(x -> x.pid() == c.mainPid()).findFirst().orElseThrow();
            assertEquals(true, mine.shared().get(NsType.PID), mine.toString());
            assertEquals(false, mine.shared().get(NsType.PID_FOR_CHILDREN), mine.toString());
            assertEquals(false, mine.shared().get(NsType.MNT));
            assertEquals(true, mine.shared().get(NsType.NET));
            assertEquals(true, mine.shared().get(NsType.USER));
            long sleepPidNs = new io.taskscope.proc.ProcReader(ProcPath.system()).namespace(sleep, NsType.PID).orElseThrow();
            assertNotEquals(report.monitor().get(NsType.PID), sleepPidNs);

            Result ns = run("ns", "-t", "pid,pid_for_children,mnt,net");
            assertEquals(0, ns.code(), ns.err());
            assertTrue(ns.out().lines().anyMatch(l -> l.matches("unshare +" + c.mainPid() + " +shared +separate +separate +shared")), ns.out());
            assertTrue(ns.line(sleepPidNs + " pid ").matches(sleepPidNs + " pid +1 +" + sleep + " - +unshare +sleep 600"), ns.out());
        } finally {
            if (sleep > 0) ProcessHandle.of(sleep).ifPresent(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void runcContainersSharingAPidNamespaceAreAttributedToTheirContainers() throws Exception {
        Prereq.requireRoot();
        Prereq.requireCommand("runc");
        String pauseId = RuncContainer.newId("tsfound-pause");
        String appId = RuncContainer.newId("tsfound-app");
        try (RuncContainer pause = RuncContainer.start(tmp, pauseId, List.of("/usr/bin/sleep", "600"), 0, 0,
                "root:x:0:0:root:/root:/bin/sh\n", 0);
             RuncContainer app = RuncContainer.start(tmp, appId, List.of("/usr/bin/tail", "-f", "/dev/null"), 4242, 4242,
                     "root:x:0:0:root:/root:/bin/sh\ntsfound:x:4242:4242::/:/bin/sh\n", pause.pid())) {
            Task task = Task.snapshot(ProcPath.system(), Optional.empty());
            Container first = task.containerOf(pause.pid()).orElseThrow();
            Container second = task.containerOf(app.pid()).orElseThrow();
            assertNotEquals(first, second);
            assertEquals(List.of(pause.pid(), 1), task.process(pause.pid()).orElseThrow().nspid());
            assertEquals(2, task.process(app.pid()).orElseThrow().nspid().size());

            Result ps = run("ps", "-p", pause.pid() + "," + app.pid(), "-o", "pid,nspid,user,container,args");
            assertEquals(0, ps.code(), ps.err());
            assertTrue(ps.line("sleep 600").matches(" *" + pause.pid() + " +1 root +" + first.name() + " +/usr/bin/sleep 600"), ps.out());
            assertTrue(ps.line("tail -f").matches(" *" + app.pid() + " +\\d+ tsfound +" + second.name() + " +/usr/bin/tail -f /dev/null"),
                    "uid 4242 is named by the app container's own /etc/passwd:\n" + ps.out());

            // Both containers share one PID namespace, not ours; each has its own mount namespace.
            Result ns = run("ns", "-t", "pid,mnt");
            assertEquals(0, ns.code(), ns.err());
            String pidNs = ns.out().lines().filter(l -> l.contains(" pid ") && l.contains(first.name()) && l.contains(second.name()))
                    .findFirst().orElseThrow(() -> new AssertionError("one pid namespace for both:\n" + ns.out()));
            assertTrue(pidNs.matches("\\d+ pid +2 +" + pause.pid() + " - .*"), pidNs);
            assertTrue(ns.out().lines().anyMatch(l -> l.matches(first.name() + " +" + pause.pid() + " +separate +separate")), ns.out());
            assertTrue(ns.out().lines().anyMatch(l -> l.matches(second.name() + " +" + app.pid() + " +separate +separate")), ns.out());

            // With ECS metadata (served locally in its documented shape) the runc IDs in the cgroup
            // paths (/<id>) name the containers.
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            byte[] body = ("{\"Family\":\"lab\",\"Revision\":\"1\",\"Containers\":["
                    + "{\"Name\":\"pause-container\",\"DockerId\":\"" + pauseId + "\",\"Image\":\"pause\",\"Type\":\"NORMAL\"},"
                    + "{\"Name\":\"app\",\"DockerId\":\"" + appId + "\",\"Image\":\"debian\",\"Type\":\"NORMAL\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            server.createContext("/v4/t/task", ex -> {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
            try {
                EcsMetadataClient client = new EcsMetadataClient(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v4/t"), Duration.ofSeconds(2));
                Task named = Task.snapshot(ProcPath.system(), Optional.of(client));
                assertTrue(named.warnings().isEmpty(), named.warnings().toString());
                assertEquals("pause-container", named.containerOf(pause.pid()).orElseThrow().name());
                assertEquals("app", named.containerOf(app.pid()).orElseThrow().name());
                assertEquals(Container.Source.ECS_METADATA, named.container("app").orElseThrow().source());
                assertEquals(app.pid(), named.container("app").orElseThrow().mainPid());
            } finally {
                server.stop(0);
            }
        }
    }
}
