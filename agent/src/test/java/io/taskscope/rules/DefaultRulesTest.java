package io.taskscope.rules;

import static io.taskscope.rules.Events.exec;
import static io.taskscope.rules.Events.file;
import static io.taskscope.rules.Events.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.AlertEvent;
import io.taskscope.event.Event;
import io.taskscope.event.FileChangeEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each shipped rule fires on the event it exists for and stays quiet on its near miss. */
class DefaultRulesTest {
    private final RuleSet rules = new RuleLoader().addDefaults().build();

    private List<String> fired(Event e) {
        return rules.evaluate(e).stream().map(AlertEvent::rule).toList();
    }

    @Test
    void shellInContainer() {
        var sh = exec("app", "sh", "/bin/busybox", "sh", "-c", "id");
        assertEquals(List.of("shell-in-container"), fired(sh));
        AlertEvent a = rules.evaluate(sh).get(0);
        assertEquals("high", a.priority());
        assertEquals("app", a.container());
        assertEquals("shell /bin/busybox started in container app: pid 77, parent 42, uid 82: sh -c id", a.message());
        assertEquals(List.of("shell-in-container"), fired(exec("web", "bash", "/usr/bin/bash", "bash")));
        assertEquals(List.of(), fired(exec("app", "php-fpm", "/usr/local/sbin/php-fpm", "php-fpm")));
    }

    @Test
    void writeUnderWebRoot() {
        var drop = syscall("app", "php-fpm", "openat", "/var/www/html/shell.php", "O_WRONLY|O_CREAT|O_TRUNC", 5, null);
        assertEquals(List.of("write-under-web-root"), fired(drop));
        assertEquals("critical", rules.evaluate(drop).get(0).priority());
        assertEquals("/var/www/html/shell.php written in container app: syscall openat, file event -, by php-fpm pid 42",
                rules.evaluate(drop).get(0).message());
        assertEquals(List.of("write-under-web-root"),
                fired(file("app", "/var/www/html/uploads/x.php", FileChangeEvent.Kind.CREATE)));
        // reading the web root is what php-fpm does all day
        assertEquals(List.of(), fired(syscall("app", "php-fpm", "openat", "/var/www/html/test.php", "O_RDONLY", 5, null)));
        assertEquals(List.of(), fired(syscall("app", "php-fpm", "openat", "/var/www/html2/x", "O_WRONLY", 5, null)));
        assertEquals(List.of(), fired(file("app", "/var/www/html/x.php", FileChangeEvent.Kind.DELETE)));
        // a failed attempt wrote nothing
        assertEquals(List.of(), fired(syscall("app", "php-fpm", "openat", "/var/www/html/x.php", "O_WRONLY|O_CREAT", -1, "EACCES")));
    }

    @Test
    void shadowRead() {
        var read = syscall("web", "nginx", "openat", "/etc/shadow", "O_RDONLY|O_CLOEXEC", -1, "EACCES");
        assertEquals(List.of("shadow-file-read"), fired(read));
        assertEquals("nginx (pid 42, uid 82) in container web opened /etc/shadow O_RDONLY|O_CLOEXEC: = -1 EACCES",
                rules.evaluate(read).get(0).message());
        assertEquals(List.of(), fired(syscall("web", "nginx", "openat", "/etc/passwd", "O_RDONLY|O_CLOEXEC", 3, null)));
        assertEquals(List.of(), fired(syscall("web", "unix_chkpwd", "openat", "/etc/shadow", "O_RDONLY", 3, null)));
    }

    @Test
    void execFromTmp() {
        assertEquals(List.of("exec-from-tmp"), fired(exec("app", "x", "/tmp/.x/miner", "miner")));
        assertEquals(List.of("exec-from-tmp"), fired(syscall("app", "php-fpm", "execve", "/dev/shm/a", null, 0, null)));
        assertEquals(List.of(), fired(exec("app", "php", "/usr/local/bin/php", "php")));
        assertEquals(List.of(), fired(syscall("app", "php-fpm", "openat", "/tmp/sess_abc", "O_RDWR|O_CREAT", 4, null)));
    }

    @Test
    void ptraceByNeighbour() {
        var pt = syscall("app", "gdb", "ptrace", null, null, -1, "EPERM");
        assertEquals(List.of("ptrace-by-neighbour"), fired(pt));
        assertTrue(rules.evaluate(pt).get(0).message().contains("called ptrace: = -1 EPERM"));
        assertEquals(List.of(), fired(syscall("app", "gdb", "wait4", null, null, 0, null)));
    }

    @Test
    void alertsNeverTriggerRules() {
        var alert = rules.evaluate(exec("app", "sh", "/bin/sh", "sh")).get(0);
        assertEquals(List.of(), fired(alert));
    }
}
