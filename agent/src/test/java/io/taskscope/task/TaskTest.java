package io.taskscope.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcessTable;
import io.taskscope.testing.ProcFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskTest {
    @TempDir
    Path tmp;

    static EcsTaskMetadata fargateMetadata() {
        try (InputStream in = TaskTest.class.getResourceAsStream("/ecs/task-fargate.json")) {
            return EcsMetadataClient.parse(in.readAllBytes(), "fixture");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Task task(Optional<EcsTaskMetadata> metadata) {
        ProcPath proc = ProcFixture.materialize("task", tmp);
        return Task.of(proc, ProcessTable.snapshot(proc), metadata, List.of());
    }

    @Test
    void ecsMetadataNamesContainersThroughFargateCgroupPaths() {
        Task t = task(Optional.of(fargateMetadata()));
        assertEquals("web", t.containerOf(18).orElseThrow().name());
        assertEquals("web", t.containerOf(30).orElseThrow().name());
        assertEquals("app", t.containerOf(7).orElseThrow().name());
        assertEquals("monitor", t.containerOf(44).orElseThrow().name());
        Container web = t.container("web").orElseThrow();
        assertEquals(Container.Source.ECS_METADATA, web.source());
        assertEquals(Optional.of("nginxinc/nginx-unprivileged:1.27-alpine"), web.image());
        assertEquals(18, web.mainPid());
        assertEquals(List.of(18, 19, 30), web.pids());
        // Fargate does not list the pause container: it falls back to its namespace, named after its process.
        Container pause = t.containerOf(1).orElseThrow();
        assertEquals("pause", pause.name());
        assertTrue(pause.infrastructure());
        assertEquals(Container.Source.NAMESPACE, pause.source());
    }

    @Test
    void onlyTheRealEcsExecAgentIsInfrastructureNotAProcessNamedLikeIt() throws IOException {
        ProcPath proc = ProcFixture.materialize("task", tmp);
        // pid 19 (an nginx worker) renames itself and runs a look-alike binary from its own root.
        Files.write(proc.root().resolve("19/cmdline"), "/managed-agents/execute-command/amazon-ssm-agent\0".getBytes());
        Files.delete(proc.root().resolve("19/exe"));
        Files.createSymbolicLink(proc.root().resolve("19/exe"),
                Path.of("../roots/web/managed-agents/execute-command/amazon-ssm-agent"));
        Task t = Task.of(proc, ProcessTable.snapshot(proc), Optional.of(fargateMetadata()), List.of());
        assertEquals(Role.AGENT, t.role(12), "pid 12 runs the binary ECS bind-mounts into every container, ours too");
        assertEquals(Role.APP, t.role(19), "a name is not proof: pid 19 stays an application process, traced");
    }

    @Test
    void withoutMetadataContainersAreMountNamespacesNamedAfterTheirOldestProcess() {
        Task t = task(Optional.empty());
        assertEquals(List.of("pause", "php-fpm", "nginx", "sleep"), t.containers().stream().map(Container::name).toList());
        assertEquals(List.of(6, 7, 12, 45), t.container("php-fpm").orElseThrow().pids(),
                "the zombie 45 joins its parent's container");
        assertTrue(t.container("sleep").orElseThrow().self());
        assertFalse(t.container("nginx").orElseThrow().self());
        assertEquals(Container.Source.NAMESPACE, t.container("nginx").orElseThrow().source());
    }

    @Test
    void rolesSetInfrastructureApart() {
        Task t = task(Optional.of(fargateMetadata()));
        assertEquals(Role.PAUSE, t.role(1));
        assertEquals(Role.AGENT, t.role(12));
        assertEquals(Role.SELF, t.role(44));
        assertEquals(Role.APP, t.role(6));
        assertTrue(t.self().orElseThrow().name().equals("monitor"));
        // The app container's main process is php-fpm's master, not the older-listed agent.
        assertEquals(6, t.container("app").orElseThrow().mainPid());
        // The monitor's main process is its oldest app process (sleep), never taskscope itself.
        assertEquals(42, t.container("monitor").orElseThrow().mainPid());
    }

    @Test
    void userNamesComeFromEachContainersOwnPasswd() {
        Task t = task(Optional.empty());
        UserNames u = t.users();
        assertEquals("nginx", u.user(t.process(18).orElseThrow(), 101));
        assertEquals("www-data", u.user(t.process(7).orElseThrow(), 82));
        assertEquals("101", u.user(t.process(7).orElseThrow(), 101), "101 means nothing in the app container");
        assertEquals("www-data", u.group(7, 82));
        assertEquals("82", u.user(t.process(1).orElseThrow(), 82), "pause has no /etc/passwd");
        assertEquals("root", u.user(t.process(1).orElseThrow(), 0), "0 is root even without /etc/passwd, as ps shows it");
        assertEquals("82", u.user(t.process(45).orElseThrow(), 82), "a zombie has no readable root");
    }

    @Test
    void aNeighboursSymlinkCannotPointUserNamesAtOurFiles() throws IOException {
        ProcPath proc = ProcFixture.materialize("task", tmp);
        Path outside = java.nio.file.Files.writeString(tmp.resolve("outside-passwd"), "evil:x:82:82::/:/bin/sh\n");
        Path passwd = proc.root().resolve("roots/app/etc/passwd");
        java.nio.file.Files.delete(passwd);
        java.nio.file.Files.createSymbolicLink(passwd, outside.toAbsolutePath());
        Task t = Task.of(proc, ProcessTable.snapshot(proc), Optional.empty(), List.of());
        assertEquals("82", t.users().user(7, 82), "the absolute link resolves inside the app's root, where it leads nowhere");
    }
}
