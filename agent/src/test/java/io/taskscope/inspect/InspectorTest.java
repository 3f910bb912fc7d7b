package io.taskscope.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.task.Task;
import io.taskscope.testing.Daemons;
import io.taskscope.testing.HostileRoot;
import io.taskscope.testing.Prereq;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InspectorTest {
    @Test
    void addressesDecodeLikeSs() {
        assertEquals("127.0.0.1:8080", Sockets.address("0100007F:1F90"));
        assertEquals("[::1]:443", Sockets.address("00000000000000000000000001000000:01BB"));
        assertEquals("[::]:80", Sockets.address("00000000000000000000000000000000:0050"));
        // an IPv4-mapped listener stays visibly IPv6; the longest zero run is the one compressed
        assertEquals("[::ffff:127.0.0.1]:8080", Sockets.address("0000000000000000FFFF00000100007F:1F90"));
        assertEquals("[1:0:0:2::3]:443", Sockets.address("00000100020000000000000003000000:01BB"));
        Map<Long, Sockets.Socket> m = new HashMap<>();
        Sockets.parseInet("tcp", """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
                """, m);
        assertEquals(new Sockets.Socket("tcp", "127.0.0.1:8080", "", "LISTEN", 4242), m.get(4242L));
        Sockets.parseUnix("""
                Num       RefCount Protocol Flags    Type St Inode Path
                0000000000000000: 00000002 00000000 00010000 0001 01 777 /run/php/php-fpm.sock
                """, m);
        assertEquals("LISTEN", m.get(777L).state());
        assertEquals("/run/php/php-fpm.sock", m.get(777L).local());
    }

    @Test
    void limitsAreParsedByColumn() {
        var l = Inspector.parseLimits("""
                Limit                     Soft Limit           Hard Limit           Units    \s
                Max open files            1024                 524288               files    \s
                Max nice priority         0                    0                    \s
                """);
        assertEquals(new ProcessReport.Limit("Max open files", "1024", "524288", "files"), l.get(0));
        assertEquals("0", l.get(1).hard());
    }

    @Test
    void nginxMasterShowsItsListeningSocket() throws Exception {
        try (var d = Daemons.nginx(Map.of())) {
            d.worker();
            int port = d.port();
            ProcessReport r = Inspector.inspect(Task.snapshot(), d.pid());
            assertEquals("nginx", r.comm());
            assertEquals(Path.of(Prereq.requireCommand("nginx").toString()).toRealPath().toString(), r.exe());
            assertTrue(r.listening().stream().anyMatch(s -> s.proto().equals("tcp") && s.local().equals("127.0.0.1:" + port)),
                    r.listening().toString());
            assertTrue(r.fds().stream().anyMatch(f -> f.kind().equals("socket") && f.detail().equals("tcp 127.0.0.1:" + port + " LISTEN")),
                    r.fds().toString());
            assertTrue(r.sharedWithUs().contains("mnt"), "a host process shares our mount namespace");
            assertTrue(r.limits().stream().anyMatch(l -> l.name().equals("Max open files")));
            assertTrue(InspectText.lines(r).contains("  tcp 127.0.0.1:" + port), InspectText.lines(r).toString());
        }
    }

    @Test
    void aChrootedProcessShowsItsOwnRootAndNamespaces() throws Exception {
        try (HostileRoot target = HostileRoot.start()) {
            ProcessReport r = Inspector.inspect(Task.snapshot(), target.pid);
            assertEquals(target.root.toString(), r.root());
            assertTrue(!r.sharedWithUs().contains("mnt") && !r.sharedWithUs().contains("pid"), r.sharedWithUs().toString());
            assertEquals(List.of("/usr/bin/sleep", "600"), r.cmdline());
            assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        }
    }

    @Test
    void aPidReusedMidInspectionIsNotMixedWithTheProcessItNamedBefore(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        io.taskscope.proc.ProcPath proc = io.taskscope.testing.ProcFixture.materialize("task", tmp);
        Task task = Task.snapshot(proc, java.util.Optional.empty()); // what inspect starts from: PID 12 as it was
        Path stat = proc.file(12, "stat");
        String line = java.nio.file.Files.readString(stat);
        int close = line.lastIndexOf(')');
        String[] f = line.substring(close + 2).split(" ");
        f[22 - 3] = Long.toString(Long.parseLong(f[22 - 3]) + 100); // PID 12 ended; a newer process has its PID
        java.nio.file.Files.writeString(stat, line.substring(0, close + 2) + String.join(" ", f));
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.taskscope.TaskscopeException.class, () -> Inspector.inspect(task, 12));
        assertTrue(e.oneLine().contains("process 12 exited while it was inspected"), e.oneLine());
    }
}
