package io.taskscope.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.TaskscopeException;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcessTable;
import io.taskscope.testing.ProcFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {
    @TempDir
    Path tmp;
    Task task;

    @BeforeEach
    void setUp() {
        ProcPath proc = ProcFixture.materialize("task", tmp);
        task = Task.of(proc, ProcessTable.snapshot(proc), Optional.of(TaskTest.fargateMetadata()), List.of());
    }

    @Test
    void aPidResolvesToItselfWithItsContainer() {
        assertEquals(new Target(7, "app"), Targets.resolve(task, "7"));
        assertEquals(new Target(1, "pause"), Targets.resolve(task, " 1 "));
    }

    @Test
    void aContainerNameResolvesToItsMainProcess() {
        assertEquals(new Target(18, "web"), Targets.resolve(task, "web"));
        assertEquals(new Target(6, "app"), Targets.resolve(task, "app"));
    }

    @Test
    void unknownTargetsAreUsageErrorsThatSayWhatExists() {
        TaskscopeException e = assertThrows(TaskscopeException.class, () -> Targets.resolve(task, "db"));
        assertEquals(TaskscopeException.Kind.USAGE, e.kind());
        assertEquals("no container named 'db'; known: pause, app, web, monitor; give one of those names, a container ID (as docker ps prints it) or a PID", e.oneLine());
        e = assertThrows(TaskscopeException.class, () -> Targets.resolve(task, "4711"));
        assertEquals(TaskscopeException.Kind.USAGE, e.kind());
        assertTrue(e.oneLine().startsWith("no process with PID 4711"), e.oneLine());
        e = assertThrows(TaskscopeException.class, () -> Targets.resolve(task, "-3"));
        assertTrue(e.oneLine().contains("is not a PID"), e.oneLine());
        e = assertThrows(TaskscopeException.class, () -> Targets.parsePid("12x"));
        assertEquals("'12x' is not a PID; give a positive number, e.g. -p 1234", e.oneLine());
        assertThrows(TaskscopeException.class, () -> Targets.parsePid("0"));
        assertThrows(TaskscopeException.class, () -> Targets.parsePid("99999999999"));
    }
}
