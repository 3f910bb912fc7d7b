package io.taskscope.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.ProcFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTableTest {
    @TempDir
    Path tmp;

    @Test
    void vanishedProcessesAreSkippedAndTheRestIsRead() {
        ProcessTable t = ProcessTable.snapshot(ProcFixture.materialize("task", tmp));
        List<Integer> pids = t.processes().stream().map(ProcessInfo::pid).toList();
        assertEquals(List.of(1, 6, 7, 12, 18, 19, 30, 42, 43, 44, 45, 50), pids,
                "46 (empty directory) and 47 (stat but no status) vanished mid-read");
        assertEquals(44, t.selfPid());
        assertEquals(1763900000L, t.system().bootTimeEpochSeconds());
        assertEquals(24683628L, t.system().memTotalKiB());
    }

    @Test
    void oddNamesZombiesAndNestedPidNamespaces() {
        ProcessTable t = ProcessTable.snapshot(ProcFixture.materialize("task", tmp));
        ProcessInfo odd = t.get(30).orElseThrow();
        assertEquals("my (odd) proc) x", odd.comm());
        assertEquals("./my (odd) proc) x --flag", odd.command());
        assertEquals(101, odd.euid());

        ProcessInfo zombie = t.get(45).orElseThrow();
        assertTrue(zombie.zombie());
        assertEquals("[php-fpm] <defunct>", zombie.command());
        assertEquals(0, zombie.mntNs(), "a zombie's namespace links are gone");

        ProcessInfo nested = t.get(50).orElseThrow();
        assertEquals(List.of(50, 1), nested.nspid());
        assertEquals(1, nested.innermostPid());
        assertEquals(4026532501L, nested.mntNs());
        assertTrue(nested.root().isPresent());
    }

    @Test
    void kernelThreadsAreFlaggedAndNotReadFurther() {
        ProcessTable t = ProcessTable.snapshot(ProcFixture.materialize("host", tmp));
        assertTrue(t.get(2).orElseThrow().kernelThread(), "PF_KTHREAD");
        assertTrue(t.get(3).orElseThrow().kernelThread(), "child of kthreadd");
        assertEquals("[kthreadd]", t.get(2).orElseThrow().command());
        assertFalse(t.get(1).orElseThrow().kernelThread());
        assertFalse(t.get(100).orElseThrow().kernelThread());
    }

    @Test
    void namespacesAndLinksAreReadOnDemand() {
        ProcReader r = new ProcReader(ProcFixture.materialize("task", tmp));
        var ns = r.namespaces(50);
        assertEquals(4026532999L, ns.get(NsType.PID));
        assertEquals(4026532501L, ns.get(NsType.MNT));
        assertEquals(NsType.values().length, ns.size());
        assertEquals("/usr/bin/sleep", r.link(50, "exe").orElseThrow());
        assertTrue(r.namespaces(45).isEmpty());
        assertTrue(r.stat(99999).isEmpty());
        assertEquals(4, r.cgroups(6).size());
    }

    @Test
    void theRealProcIsReadWithoutErrors() {
        ProcessTable t = ProcessTable.snapshot();
        assertTrue(t.processes().size() > 1);
        assertTrue(t.self().isPresent(), "the JVM finds itself");
        assertEquals(ProcessHandle.current().pid(), t.selfPid());
    }
}
