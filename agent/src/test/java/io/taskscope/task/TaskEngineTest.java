package io.taskscope.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcessTable;
import io.taskscope.testing.ProcFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers off ECS: the fixture task's processes moved into Docker's cgroups (lines recorded from Docker 20.10
 * with {@code docker run --pid=container:pause}), named by the engine's API (a local socket serving recorded
 * replies) or, without one, by their short IDs; never by a process name.
 */
class TaskEngineTest {
    static final String PAUSE = "18950f1ec96e216fdc2c5095717bc59fb002ad326fb5bec138638eeb57a8f4a3";
    static final String APP = "bd068a5d6f2cf0929f11b025a15eeaf50f3e3c2e34f6645e11cbf8a470b0d86a";
    static final String MONITOR = "3971c65a05b2439d2d78ef2bc893a4f9e4fdf9f4cc516e78e7c227935a6781e1";
    static final String WEB = "5a7d6e0c1b2f3a4958677685a4b3c2d1e0f9a8b7c6d5e4f30211a0b9c8d7e6f5"; // listed by no engine reply
    static final Map<String, List<Integer>> MEMBERS = Map.of(PAUSE, List.of(1), APP, List.of(6, 7, 12, 45),
            WEB, List.of(18, 19, 30), MONITOR, List.of(42, 43, 44, 50));

    @TempDir
    Path tmp;

    private ProcPath dockerTask() throws IOException {
        return dockerTask(tmp);
    }

    /** The fixture task with Docker's cgroup paths (also EngineCacheTest's). */
    static ProcPath dockerTask(Path tmp) throws IOException {
        ProcPath proc = ProcFixture.materialize("task", tmp);
        for (Map.Entry<String, List<Integer>> e : MEMBERS.entrySet()) {
            String id = e.getKey();
            StringBuilder lines = new StringBuilder();
            for (String c : List.of("9:name=systemd", "8:pids", "4:memory", "2:cpuacct", "1:cpu")) lines.append(c).append(":/docker/").append(id).append('\n');
            lines.append("0::/docker/").append(id).append('\n');
            for (int pid : e.getValue()) Files.writeString(proc.root().resolve(pid + "/cgroup"), lines);
        }
        // What Docker writes to every container's /etc/hostname with --network container:pause: the pause container's short ID.
        Files.writeString(proc.root().resolve("roots/app/etc/hostname"), PAUSE.substring(0, 12) + "\n");
        return proc;
    }

    static Task task(ProcPath proc, Optional<? extends EngineNames> engine) {
        return Task.of(proc, ProcessTable.snapshot(proc), Optional.empty(), engine, List.of());
    }

    @Test
    void withoutAnEngineContainersAreTheirShortIdsNeverAProcessName() throws IOException {
        Task t = task(dockerTask(), Optional.empty());
        assertEquals(List.of("18950f1ec96e", "bd068a5d6f2c", "5a7d6e0c1b2f", "3971c65a05b2"),
                t.containers().stream().map(Container::name).toList());
        Container app = t.container("bd068a5d6f2c").orElseThrow();
        assertEquals(APP, app.id());
        assertEquals(Container.Source.CGROUP, app.source());
        assertEquals(List.of(6, 7, 12, 45), app.pids(), "the zombie joins its parent's container");
        assertEquals(Optional.of("18950f1ec96e"), app.hostname(), "the hostname the container sees");
        assertEquals(Role.PAUSE, t.role(1));
        assertTrue(t.containerOf(1).orElseThrow().infrastructure());
        assertTrue(t.container("3971c65a05b2").orElseThrow().self());
        assertEquals(new Target(6, "bd068a5d6f2c"), Targets.resolve(t, "bd068a5d6f2c"), "the short ID, as docker ps prints it");
        assertEquals(new Target(18, "5a7d6e0c1b2f"), Targets.resolve(t, WEB), "the full ID");
        assertEquals(new Target(6, "bd068a5d6f2c"), Targets.resolve(t, "bd06"), "a unique prefix");
    }

    @Test
    void theEnginesApiNamesThemAsComposeDoes() throws IOException {
        ProcPath proc = dockerTask();
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock"))
                .json("/containers/json", EngineServer.resource("docker-compose-containers.json"))) {
            Task t = task(proc, Optional.of(s.client()));
            assertEquals(List.of("pause", "app", "5a7d6e0c1b2f", "monitor"), t.containers().stream().map(Container::name).toList(),
                    "web is in no reply of the engine: its short ID");
            Container app = t.container("app").orElseThrow();
            assertEquals(Container.Source.ENGINE, app.source());
            assertEquals(APP, app.id());
            assertEquals(Optional.of("taskscope-engines/base:bookworm"), app.image());
            assertEquals(Container.Source.CGROUP, t.container("5a7d6e0c1b2f").orElseThrow().source());
            assertEquals(List.of("/containers/json", "/containers/" + WEB + "/json"), s.requests,
                    "one list, one inspect for the container it did not list");
            assertEquals(new Target(6, "app"), Targets.resolve(t, "app"));
            assertEquals(List.of(), t.warnings());
        }
    }

    @Test
    void anEngineThatFailsIsAWarningAndShortIdsStay() throws IOException {
        ProcPath proc = dockerTask();
        try (EngineServer s = new EngineServer(tmp.resolve("docker.sock"))
                .raw("/containers/json", "HTTP/1.0 500 Internal Server Error\r\n\r\n".getBytes())) {
            Task t = task(proc, Optional.of(s.client()));
            assertEquals("bd068a5d6f2c", t.containerOf(6).orElseThrow().name());
            assertEquals(1, t.warnings().size(), t.warnings().toString());
            assertTrue(t.warnings().get(0).contains("answered HTTP 500"), t.warnings().get(0));
            assertEquals(List.of("/containers/json"), s.requests, "no further requests to a failing engine");
        }
    }

    @Test
    void podmansInfraAndAnEnginesInitAreInfrastructure() throws IOException {
        ProcPath proc = dockerTask();
        Path root = proc.root();
        Files.writeString(root.resolve("1/stat"), Files.readString(root.resolve("1/stat")).replace("(pause)", "(catatonit)"));
        Files.write(root.resolve("1/cmdline"), "/catatonit\0-P\0".getBytes());
        Files.write(root.resolve("42/cmdline"), "/sbin/docker-init\0--\0sleep\0infinity\0".getBytes());
        Files.write(root.resolve("18/cmdline"), "/sbin/docker-init\0nginx\0".getBytes()); // no "--": not what docker runs
        Task t = task(proc, Optional.empty());
        assertEquals(Role.PAUSE, t.role(1), "podman's pod infra: /catatonit -P as PID 1");
        assertEquals(Role.INIT, t.role(42));
        assertEquals(Role.APP, t.role(18));
        assertEquals(43, t.containerOf(42).orElseThrow().mainPid(), "the init is never a container's main process");
        // A catatonit that is not PID 1 of its namespace is an application process.
        Files.writeString(root.resolve("7/stat"), Files.readString(root.resolve("7/stat")).replace("(php-fpm)", "(catatonit)"));
        Files.write(root.resolve("7/cmdline"), "/catatonit\0-P\0".getBytes());
        assertEquals(Role.APP, task(proc, Optional.empty()).role(7));
    }

    @Test
    void groupsWithoutAnIdAreUniquePerMountNamespaceAndRoot() throws IOException {
        ProcPath proc = ProcFixture.materialize("task", tmp);
        for (int pid : List.of(1, 6, 7, 12, 18, 19, 30, 42, 43, 44, 50)) Files.writeString(proc.root().resolve(pid + "/cgroup"), "0::/\n");
        // pid 30 shares the web container's mount namespace but runs in another root (as with --pid=host, a chroot).
        Path links = proc.root().resolve("30/root");
        Files.delete(links);
        Files.createSymbolicLink(links, Path.of("../roots/monitor"));
        Task t = task(proc, Optional.empty());
        Container web = t.containerOf(18).orElseThrow();
        Container other = t.containerOf(30).orElseThrow();
        assertNotEquals(web.id(), other.id());
        assertTrue(web.id().startsWith("mnt:4026532401:"), web.id());
        assertEquals(Container.Source.NAMESPACE, web.source());
        assertEquals("nginx", web.name(), "no ID known: the oldest process's name");
    }

    @Test
    void oneContainerIdIsOneContainerEvenAcrossRoots() throws IOException {
        ProcPath proc = dockerTask();
        Path link = proc.root().resolve("30/root");
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("../roots/monitor"));
        Task t = task(proc, Optional.empty());
        assertEquals(List.of(18, 19, 30), t.containerOf(30).orElseThrow().pids(), "a chroot inside the container stays in it");
    }
}
