package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.trace.ModePolicy.Context;
import io.taskscope.trace.ModePolicy.Decision;
import io.taskscope.trace.ModePolicy.Moment;
import io.taskscope.trace.TraceMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each escalation condition with a process that meets it and a near miss that does not. */
class EscalationTest {
    static final String FPM = "/usr/sbin/php-fpm8.2";

    static Context exec(String exe, String comm, String parentExe, String grandparentExe) {
        return new Context(Moment.EXEC, 100, 50, "app", comm, exe, List.of(comm), TraceMode.LIFECYCLE, false,
                parentExe, grandparentExe);
    }

    static Context fork(String exe, String parentExe, String grandparentExe) {
        return new Context(Moment.FORK, 100, 50, "app", "php-fpm8.2", exe, List.of(), TraceMode.LIFECYCLE, false,
                parentExe, grandparentExe);
    }

    final Escalation policy = new Escalation(ModeConfig.defaults());

    @Test
    void shellsAndInterpretersByNameOrByExecutable() {
        assertTrue(Escalation.escalation(exec("/bin/dash", "sh", FPM, FPM)).startsWith("shell or interpreter sh"));
        assertTrue(Escalation.escalation(exec("/usr/bin/dash", "notashell", null, null)).contains("dash"),
                "a link with another name is still dash");
        assertTrue(Escalation.escalation(exec("/usr/bin/python3.11", "python3", null, null)) != null);
        assertTrue(Escalation.escalation(exec("/bin/busybox", "sh", null, null)) != null, "busybox as sh");
        assertNull(Escalation.escalation(exec("/bin/busybox", "wget", null, null)), "busybox's wget is no shell");
        assertNull(Escalation.escalation(exec("/usr/sbin/nginx", "nginx", null, null)));
        assertNull(Escalation.escalation(exec("/usr/bin/shasum", "shasum", null, null)), "a name that starts like sh");
    }

    @Test
    void programsFromWorldWritablePlacesMemfdsAndDeletedFiles() {
        assertTrue(Escalation.escalation(exec("/tmp/x", "x", null, null)).startsWith("program run from /tmp/"));
        assertTrue(Escalation.escalation(exec("/dev/shm/.k", ".k", null, null)) != null);
        assertTrue(Escalation.escalation(exec("/memfd:payload (deleted)", "3", null, null)).contains("memfd"));
        assertTrue(Escalation.escalation(exec("/usr/local/bin/app (deleted)", "app", null, null)).contains("deleted"));
        assertNull(Escalation.escalation(exec("/usr/bin/tmpreaper", "tmpreaper", null, null)));
        assertNull(Escalation.escalation(exec("/opt/tmp/x", "x", null, null)), "only /tmp itself, not any */tmp/");
    }

    @Test
    void aChildOfAWebServerWorkerAtItsForkButNotTheMastersWorkers() {
        // php system(): the worker (parent php-fpm, its parent the php-fpm master) forks
        assertTrue(Escalation.escalation(fork(FPM, FPM, FPM)).startsWith("child of web server worker php-fpm8.2"));
        // the master forking a new worker: the master's parent is not php-fpm
        assertNull(Escalation.escalation(fork(FPM, FPM, "/pause")));
        assertNull(Escalation.escalation(fork(FPM, FPM, null)));
        // a worker of something that is not a web server
        assertNull(Escalation.escalation(fork("/usr/bin/java", "/usr/bin/java", "/usr/bin/java")));
    }

    @Test
    void decisionsEscalateInheritAndKeepTheBaseModeOtherwise() {
        Decision d = policy.decide(exec("/bin/dash", "sh", FPM, FPM));
        assertEquals(TraceMode.SYSCALL, d.mode());
        assertTrue(d.escalated());
        assertTrue(d.reason().startsWith("escalated: shell or interpreter sh (/bin/dash) in container app"), d.reason());
        Context inherited = new Context(Moment.EXEC, 101, 100, "app", "id", "/usr/bin/id", List.of("id"),
                TraceMode.SYSCALL, true, "/bin/dash", FPM);
        assertNull(policy.decide(inherited), "an escalated process's exec keeps its escalation");
        Decision plain = policy.decide(exec("/usr/bin/id", "id", null, null));
        assertEquals(TraceMode.LIFECYCLE, plain.mode());
        assertNull(policy.decide(fork("/usr/sbin/nginx", "/usr/sbin/nginx", null)), "a fork inherits");
    }

    @Test
    void selectedProcessesAreContinuousAndTheirChildrenToo() {
        ModeConfig c = ModeConfig.defaults().withEnv(Map.of("TASKSCOPE_SYSCALL_EXES", "*php-fpm*", "TASKSCOPE_BUDGET", "5%"));
        Escalation p = new Escalation(c);
        Context master = new Context(Moment.ATTACH, 50, 1, "app", "php-fpm8.2", FPM, List.of("php-fpm: master"),
                TraceMode.LIFECYCLE, false, null, null);
        Decision d = p.decide(master);
        assertEquals(TraceMode.SYSCALL, d.mode());
        assertTrue(!d.escalated() && d.reason().contains("5% budget"), d.reason());
        assertTrue(p.continuous().contains(50));
        assertTrue(p.decide(new Context(Moment.FORK, 60, 50, "app", "php-fpm8.2", FPM, List.of(), TraceMode.SYSCALL,
                false, FPM, null)).reason().contains("budget"));
        assertTrue(p.continuous().contains(60), "a new worker of a selected master is selected too");
        assertEquals(TraceMode.LIFECYCLE, p.decide(new Context(Moment.ATTACH, 70, 1, "web", "nginx", "/usr/sbin/nginx",
                List.of("nginx"), TraceMode.LIFECYCLE, false, null, null)).mode());
    }

    @Test
    void budgetsParse() {
        assertEquals(0.05, ModeConfig.budget("5%", "x"), 1e-9);
        assertEquals(0.005, ModeConfig.budget("0.5%", "x"), 1e-9);
        assertEquals(1.0, ModeConfig.budget("none", "x"), 1e-9);
        for (String bad : List.of("5", "0%", "150%", "lots")) {
            try {
                ModeConfig.budget(bad, "TASKSCOPE_BUDGET");
                throw new AssertionError(bad + " accepted");
            } catch (io.taskscope.TaskscopeException e) {
                assertTrue(e.getMessage().startsWith("TASKSCOPE_BUDGET: '" + bad + "' is not a budget"), e.getMessage());
            }
        }
    }
}
