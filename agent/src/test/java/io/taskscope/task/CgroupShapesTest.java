package io.taskscope.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.proc.CgroupEntry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CgroupShapesTest {
    static final String HEX = "4f2d1e0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a291807f6e5d4c3b2a19080706";

    private static List<CgroupEntry> cg(String text) {
        return CgroupEntry.parse(text);
    }

    @Test
    void parsesV1AndV2Lines() {
        List<CgroupEntry> e = cg("12:pids:/docker/" + HEX + "\n4:cpu,cpuacct:/docker/" + HEX + "\n0::/\n");
        assertEquals(3, e.size());
        assertEquals("cpu,cpuacct", e.get(1).controllers());
        assertTrue(e.get(2).unified());
        assertFalse(e.get(0).unified());
        assertEquals(List.of(), cg("garbage\n\nx:y\n"));
    }

    @Test
    void fargateTaskPaths() {
        String id = "9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d-2495160603";
        List<CgroupEntry> e = cg("11:pids:/ecs/9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d/" + id + "\n0::/\n");
        assertTrue(CgroupShapes.names(e, id));
        assertFalse(CgroupShapes.names(e, "9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d-1116234402"));
        assertEquals(Optional.of(id), CgroupShapes.containerId(e));
        // Fargate on EC2-style 64-hex IDs under /ecs/<task>/
        assertTrue(CgroupShapes.names(cg("3:memory:/ecs/abc/" + HEX + "\n"), HEX));
    }

    @Test
    void dockerContainerdAndRuncShapesInV1AndV2() {
        assertTrue(CgroupShapes.names(cg("4:memory:/docker/" + HEX + "\n"), HEX));
        assertTrue(CgroupShapes.names(cg("0::/system.slice/docker-" + HEX + ".scope\n"), HEX));
        assertTrue(CgroupShapes.names(cg("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-pod1.slice/cri-containerd-" + HEX + ".scope\n"), HEX));
        assertTrue(CgroupShapes.names(cg("1:cpu:/tsfound-web\n0::/tsfound-web\n"), "tsfound-web"));
        assertEquals(Optional.of(HEX), CgroupShapes.containerId(cg("0::/system.slice/docker-" + HEX + ".scope\n")));
        assertEquals(Optional.empty(), CgroupShapes.containerId(cg("0::/user.slice/user-0.slice/session-1.scope\n")));
    }

    @Test
    void anIdNeverMatchesInsideALongerWord() {
        assertFalse(CgroupShapes.names(cg("0::/tsfound-web2\n"), "tsfound-web"));
        assertFalse(CgroupShapes.names(cg("0::/docker/" + HEX + "\n"), HEX.substring(0, 3)), "too short to mean anything");
        assertFalse(CgroupShapes.names(cg("0::/\n"), HEX));
    }

    // Recorded on this machine (Debian 12, cgroup v1 plus the unified line): Docker 20.10 (cgroupfs driver), podman 4.3.
    static final String DOCKER_APP = "bd068a5d6f2cf0929f11b025a15eeaf50f3e3c2e34f6645e11cbf8a470b0d86a";
    static final String POD = "e336df17ce9bc266292168d4deae61012b6eda04b058a08507afabd9353b69a2";
    static final String PODMAN_APP = "b88eea6d11881088491a15acd917744b4b6d45c1cd4656a7ad270a7c15aa7aa4";

    @Test
    void recordedDockerAndPodmanLinesGiveTheContainersId() {
        assertEquals(Optional.of(DOCKER_APP), CgroupShapes.containerId(cg("9:name=systemd:/docker/" + DOCKER_APP + "\n"
                + "8:pids:/docker/" + DOCKER_APP + "\n4:memory:/docker/" + DOCKER_APP + "\n0::/docker/" + DOCKER_APP + "\n")));
        assertEquals(Optional.of(PODMAN_APP), CgroupShapes.containerId(cg("9:name=systemd:/libpod_parent/" + POD + "/libpod-" + PODMAN_APP + "\n"
                + "8:pids:/libpod_parent/" + POD + "/libpod-" + PODMAN_APP + "\n")), "the container, never its pod");
        assertEquals("b88eea6d1188", CgroupShapes.shortId(PODMAN_APP), "as podman ps prints it");
        assertEquals("9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d-2495160603", CgroupShapes.shortId("9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d-2495160603"));
    }

    @Test
    void systemdScopesCriAndCgroupV2Shapes() {
        assertEquals(Optional.of(HEX), CgroupShapes.containerId(cg("0::/machine.slice/machine-libpod_pod_" + POD + ".slice/libpod-" + HEX + ".scope/container\n")),
                "podman, systemd driver, in a pod, with the payload in its own sub-cgroup");
        assertEquals(Optional.of(HEX), CgroupShapes.containerId(cg("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6d3c_1f2e.slice/cri-containerd-" + HEX + ".scope\n")));
        assertEquals(Optional.of(HEX), CgroupShapes.containerId(cg("0::/kubepods.slice/kubepods-pod6d3c_1f2e.slice/crio-" + HEX + ".scope\n")));
        assertEquals(Optional.of(HEX), CgroupShapes.containerId(cg("11:memory:/kubepods/besteffort/pod6d3c1f2e-0000-4000-8000-000000000000/" + HEX + "\n")));
        assertEquals(Optional.of(HEX), CgroupShapes.containerId(cg("0::/../docker-" + HEX + ".scope\n")),
                "a neighbour as a private cgroup namespace shows it");
        assertEquals(Optional.of(HEX), CgroupShapes.containerId(cg("0::/docker/" + DOCKER_APP + "/docker/" + HEX + "\n")),
                "docker in docker: the innermost container");
    }

    @Test
    void podsConmonAndTheHostHaveNoContainerId() {
        assertEquals(Optional.empty(), CgroupShapes.containerId(cg("0::/machine.slice/machine-libpod_pod_" + POD + ".slice\n")));
        assertEquals(Optional.empty(), CgroupShapes.containerId(cg("8:pids:/libpod_parent/" + POD + "/conmon\n")));
        assertEquals(Optional.empty(), CgroupShapes.containerId(cg("0::/machine.slice/libpod-conmon-" + HEX + ".scope\n")));
        assertEquals(Optional.empty(), CgroupShapes.containerId(cg("0::/\n")), "our own container under a private cgroup namespace");
        assertEquals(Optional.empty(), CgroupShapes.containerId(cg("4:memory:/process_api/d00bf54d2addfd4dc48f7b137a9f5658\n0::/\n")));
        assertEquals(Optional.empty(), CgroupShapes.containerId(cg("0::/docker/" + HEX + "0\n")), "65 hex digits are no ID");
    }
}
