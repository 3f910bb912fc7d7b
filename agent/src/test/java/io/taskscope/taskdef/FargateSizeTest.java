package io.taskscope.taskdef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FargateSizeTest {
    @Test
    void theDocumentedTable() {
        assertEquals(List.of(512, 1024, 2048), FargateSize.memoriesFor(256));
        assertEquals(List.of(1024, 2048, 3072, 4096), FargateSize.memoriesFor(512));
        assertEquals(7, FargateSize.memoriesFor(1024).size());
        assertTrue(FargateSize.valid(2048, 16384));
        assertTrue(FargateSize.valid(4096, 30720));
        assertFalse(FargateSize.valid(4096, 31744));
        assertTrue(FargateSize.valid(8192, 20480));
        assertFalse(FargateSize.valid(8192, 17408), "8 vCPU steps by 4 GB");
        assertTrue(FargateSize.valid(16384, 122880));
        assertFalse(FargateSize.valid(16384, 36864), "16 vCPU steps by 8 GB");
        assertFalse(FargateSize.valid(256, 1536));
        assertEquals(List.of(), FargateSize.memoriesFor(300));
    }

    @Test
    void cpusForAMemory() {
        assertEquals(List.of(256, 512, 1024), FargateSize.cpusFor(2048));
        assertEquals(List.of(4096), FargateSize.cpusFor(30720));
    }

    @Test
    void unitsAsEcsAcceptsThem() {
        assertEquals(Optional.of(512), FargateSize.parseCpu("512"));
        assertEquals(Optional.of(512), FargateSize.parseCpu(".5 vCPU"));
        assertEquals(Optional.of(2048), FargateSize.parseCpu("2 vcpu"));
        assertEquals(Optional.of(1024), FargateSize.parseMemory("1GB"));
        assertEquals(Optional.of(512), FargateSize.parseMemory("0.5 GB"));
        assertEquals(Optional.empty(), FargateSize.parseMemory("lots"));
        assertEquals("256 (.25 vCPU)", FargateSize.describeCpu(256));
        assertEquals("2048 (2 vCPU)", FargateSize.describeCpu(2048));
    }
}
