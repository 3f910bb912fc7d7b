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
}
