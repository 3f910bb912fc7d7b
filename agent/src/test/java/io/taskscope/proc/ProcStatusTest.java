package io.taskscope.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcStatusTest {
    @Test
    void parsesIdsNamespacesCapabilitiesAndSecurity() {
        ProcStatus s = ProcStatus.parse("""
                Name:\tnginx
                Umask:\t0022
                State:\tS (sleeping)
                Tgid:\t4242
                Pid:\t4242
                PPid:\t4200
                TracerPid:\t77
                Uid:\t101\t102\t103\t104
                Gid:\t201\t202\t203\t204
                NStgid:\t4242\t19
                NSpid:\t4242\t19
                VmSize:\t    9000 kB
                VmLck:\t       4 kB
                VmRSS:\t    2048 kB
                Threads:\t3
                CapInh:\t0000000000000000
                CapPrm:\t00000000a80425fb
                CapEff:\t00000000a80c25fb
                CapBnd:\t000001ffffffffff
                CapAmb:\t0000000000000001
                NoNewPrivs:\t1
                Seccomp:\t2
                Seccomp_filters:\t1
                """);
        assertEquals("nginx", s.name());
        assertEquals(4242, s.tgid());
        assertEquals(4200, s.ppid());
        assertEquals(77, s.tracerPid());
        assertEquals(new ProcStatus.Ids(101, 102, 103, 104), s.uid());
        assertEquals(202, s.gid().effective());
        assertEquals(List.of(4242, 19), s.nspid());
        assertEquals(19, s.innermostPid());
        assertEquals(3, s.threads());
        assertEquals(9000, s.vmSizeKiB());
        assertEquals(2048, s.vmRssKiB());
        assertEquals(4, s.vmLckKiB());
        assertEquals(0xa80425fbL, s.capPrm());
        assertEquals(0xa80c25fbL, s.capEff());
        assertEquals(0x1ffffffffffL, s.capBnd());
        assertEquals(1, s.capAmb());
        assertEquals(1, s.noNewPrivs());
        assertEquals(2, s.seccomp());
    }

    @Test
    void oldKernelsWithoutNewerLinesGiveDefaults() {
        ProcStatus s = ProcStatus.parse("Name:\tx\nTgid:\t9\nPPid:\t1\nUid:\t0\t0\t0\t0\n");
        assertEquals(List.of(), s.nspid());
        assertEquals(9, s.innermostPid());
        assertEquals(-1, s.seccomp());
        assertEquals(-1, s.noNewPrivs());
        assertEquals(-1, s.gid().real());
    }
}
