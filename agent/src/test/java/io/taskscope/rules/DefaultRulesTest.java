package io.taskscope.rules;

import static io.taskscope.rules.Events.call;
import static io.taskscope.rules.Events.exec;
import static io.taskscope.rules.Events.file;
import static io.taskscope.rules.Events.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.event.ProcessEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each shipped rule fires on the event it exists for and stays quiet on its near miss. */
class DefaultRulesTest {
    private final Events.Harness h = new Events.Harness(new RuleLoader().addDefaults().build(), RuleEnv.NONE);

    @Test
    void theDefaultsLoadWithoutWarnings() {
        assertEquals(5, h.rules.size());
        assertEquals(List.of(), h.rules.warnings());
        assertEquals(List.of(), h.rules.skipped());
    }

    @Test
    void shellInContainer() {
        var sh = exec("app", "sh", "/usr/bin/dash", "sh", "-c", "id");
        AlertEvent a = h.alerts(sh).get(0);
        assertEquals("shell-in-container", a.rule());
        assertEquals("Warning", a.priority());
        assertEquals("app", a.container());
        assertTrue(a.output().startsWith("Shell or interpreter started in container app (proc.name=sh proc.exepath=/usr/bin/dash"
                + " proc.cmdline=sh -c id proc.pid=77"), a.output());
        assertEquals("/usr/bin/dash", a.outputFields().get("proc.exepath"));
        assertEquals(77L, a.outputFields().get("proc.pid"));
        assertEquals(List.of("T1059", "container", "mitre_execution", "process", "shell"), a.tags());
        assertEquals(List.of("shell-in-container"), h.fired(exec("web", "bash", "/usr/bin/bash", "bash")));
        // a shell run through a link named otherwise is still a shell (its executable is)
        assertEquals(List.of("shell-in-container"), h.fired(exec("app", "notashell", "/usr/bin/dash", "/tmp/x/notashell", "-c", "id")));
        assertEquals(List.of("shell-in-container"), h.fired(exec("app", "python3.11", "/usr/bin/python3.11", "python3")));
        assertEquals(List.of("shell-in-container"), h.fired(exec("app", "php", "/usr/bin/php8.2", "php", "-r", "1;")));
        // near misses: php-fpm itself, a program whose name only looks like a shell's
        assertEquals(List.of(), h.fired(exec("app", "php-fpm8.2", "/usr/sbin/php-fpm8.2", "php-fpm8.2")));
        assertEquals(List.of(), h.fired(exec("app", "ssh", "/usr/bin/ssh", "ssh")));
        // outside any container (container.id = host)
        assertEquals(List.of(), h.fired(exec(null, "sh", "/usr/bin/dash", "sh")));
    }

    @Test
    void writeUnderWebRoot() {
        var drop = syscall("app", "php-fpm", "openat", "/var/www/html/shell.php", "O_WRONLY|O_CREAT|O_TRUNC", 5, null);
        AlertEvent a = h.alerts(drop).get(0);
        assertEquals("write-under-web-root", a.rule());
        assertEquals("Critical", a.priority());
        assertTrue(a.output().contains("file=/var/www/html/shell.php target=<NA> evt.type=openat proc.name=php-fpm"), a.output());
        assertEquals(List.of("write-under-web-root"), h.fired(file("app", "/var/www/html/uploads/x.php", FileChangeEvent.Kind.CREATE)));
        assertEquals(List.of("write-under-web-root"), h.fired(file("app", "/var/www/html/x.php", FileChangeEvent.Kind.MOVE_TO)));
        // mv /tmp/x.php /var/www/html/ is judged by its destination
        var mv = call(43, "app", "mv", "renameat2", 0, null, "AT_FDCWD", "\"/tmp/x.php\"", "AT_FDCWD", "\"/var/www/html/x.php\"", "RENAME_NOREPLACE");
        assertEquals(List.of("write-under-web-root"), h.fired(mv));
        assertEquals(List.of("write-under-web-root"), h.fired(call(43, "app", "ln", "linkat", 0, null, "AT_FDCWD", "\"/tmp/a\"", "AT_FDCWD", "\"/var/www/html/a.php\"", "0")));
        // near misses: reading the web root, a sibling directory, moving out of it, a delete, a failed attempt
        assertEquals(List.of(), h.fired(syscall("app", "php-fpm", "openat", "/var/www/html/test.php", "O_RDONLY", 5, null)));
        assertEquals(List.of(), h.fired(syscall("app", "php-fpm", "openat", "/var/www/html2/x", "O_WRONLY", 5, null)));
        assertEquals(List.of(), h.fired(call(43, "app", "mv", "rename", 0, null, "\"/var/www/html/x.php\"", "\"/tmp/x.php\"")));
        assertEquals(List.of(), h.fired(file("app", "/var/www/html/x.php", FileChangeEvent.Kind.DELETE)));
        assertEquals(List.of(), h.fired(syscall("app", "php-fpm", "openat", "/var/www/html/x.php", "O_WRONLY|O_CREAT", -1, "EACCES")));
    }

    @Test
    void shadowRead() {
        var read = syscall("web", "nginx", "openat", "/etc/shadow", "O_RDONLY|O_CLOEXEC", -1, "EACCES");
        AlertEvent a = h.alerts(read).get(0);
        assertEquals("shadow-file-read", a.rule());
        assertTrue(a.output().startsWith("Shadow file opened in container web (file=/etc/shadow flags=O_RDONLY|O_CLOEXEC res=EACCES"
                + " proc.name=nginx proc.pid=42 user.uid=82"), a.output());
        assertEquals(List.of(), h.fired(syscall("web", "nginx", "openat", "/etc/passwd", "O_RDONLY|O_CLOEXEC", 3, null)));
        assertEquals(List.of(), h.fired(syscall("web", "unix_chkpwd", "openat", "/etc/shadow", "O_RDONLY", 3, null)));
        // the sensitive-file watch (inotify IN_OPEN): no syscall stop, no process named
        AlertEvent w = h.alerts(file("app", "/etc/shadow", FileChangeEvent.Kind.OPEN)).get(0);
        assertEquals("shadow-file-read", w.rule());
        assertTrue(w.output().contains("file=/etc/shadow flags=<NA> res=SUCCESS proc.name=<NA>"), w.output());
        assertEquals(List.of(), h.fired(file("app", "/etc/passwd", FileChangeEvent.Kind.OPEN)));
    }

    @Test
    void execFromTmp() {
        assertEquals(List.of("exec-from-tmp"), h.fired(exec("app", "x", "/tmp/.x/miner", "miner")));
        assertEquals(List.of("exec-from-tmp"), h.fired(exec("app", "a", "/dev/shm/a", "a")));
        assertEquals(List.of("exec-from-tmp"), h.fired(exec("app", "3", "/memfd:x (deleted)", "x")));
        // a failed execve of a file there (the syscall event; a successful one is the exec process event)
        assertEquals(List.of("exec-from-tmp"), h.fired(call(42, "app", "php-fpm", "execve", -1, "EACCES", "\"/dev/shm/a\"", "[\"a\"]", "0x7ffd")));
        assertEquals(List.of(), h.fired(call(42, "app", "php-fpm", "execve", 0, null, "\"/dev/shm/a\"", "[\"a\"]", "0x7ffd")));
        // near misses
        assertEquals(List.of(), h.fired(exec("app", "php-fpm", "/usr/local/sbin/php-fpm", "php-fpm")));
        assertEquals(List.of(), h.fired(exec("app", "x", "/tmpfoo/x", "x")));
        assertEquals(List.of(), h.fired(syscall("app", "php-fpm", "openat", "/tmp/sess_abc", "O_RDWR|O_CREAT", 4, null)));
    }

    @Test
    void ptraceByNeighbour() {
        var pt = call(42, "app", "gdb", "ptrace", -1, "EPERM", "PTRACE_ATTACH", "1234");
        AlertEvent a = h.alerts(pt).get(0);
        assertEquals("ptrace-by-neighbour", a.rule());
        assertTrue(a.output().startsWith("ptrace called in container app (request=PTRACE_ATTACH target=1234 res=EPERM proc.name=gdb"), a.output());
        assertEquals(List.of("ptrace-by-neighbour"), h.fired(call(42, "app", "x", "process_vm_readv", 10, null, "1234", "[...]", "1", "[...]", "1", "0")));
        assertEquals(List.of(), h.fired(call(42, "app", "gdb", "wait4", 0, null, "-1", "NULL", "0", "NULL")));
        assertEquals(List.of(), h.fired(call(42, null, "gdb", "ptrace", 0, null, "PTRACE_ATTACH", "1")));
        // the agent's /proc scan saw a TracerPid: the tracer (pid 50, in app) is the rule's process, no syscall stop
        h.fired(Events.process(ProcessEvent.Kind.START, 50, 1, "app", "gdb", "/usr/bin/gdb", "gdb", "-p", "24"));
        var traced = new ProcessEvent(Events.T, ProcessEvent.Kind.TRACED, 24, 1, "web", "nginx", "/usr/sbin/nginx", null, 0,
                null, null, -1, null, null, null, null, 50);
        AlertEvent t = h.alerts(traced).get(0);
        assertEquals("ptrace-by-neighbour", t.rule());
        assertTrue(t.output().startsWith("ptrace called in container app (request=<NA> target=24 res=SUCCESS proc.name=gdb proc.pid=50"), t.output());
    }

    @Test
    void requirementsOfTheDefaults() {
        RuleRequirements req = h.rules.requirements(s -> true);
        assertTrue(req.rules().stream().filter(n -> n.rule().equals("shell-in-container")).findFirst().orElseThrow().lifecycleOnly());
        assertTrue(req.rules().stream().filter(n -> n.rule().equals("exec-from-tmp")).findFirst().orElseThrow().lifecycleOnly());
        var write = req.rules().stream().filter(n -> n.rule().equals("write-under-web-root")).findFirst().orElseThrow();
        assertTrue(write.syscalls().containsAll(List.of("openat", "renameat2", "linkat")), write.toString());
        assertTrue(req.syscalls().contains("ptrace"));
        assertTrue(!req.lifecycleOnly() && !req.allSyscalls());
    }

    @Test
    void alertsNeverTriggerRules() {
        AlertEvent alert = h.alerts(exec("app", "sh", "/bin/sh", "sh")).get(0);
        assertEquals(List.of(), h.fired(alert));
        assertEquals(List.of(), h.fired(Events.process(ProcessEvent.Kind.EXIT, 77, 42, "app", "sh", null)));
    }
}
