package io.taskscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.TaskscopeException;
import io.taskscope.linux.Arch;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyscallFilterTest {
    static final SyscallTable X = SyscallTable.of(Arch.X86_64);

    static boolean sel(String expr, String name) {
        return SyscallFilter.parse(List.of(expr)).selection(X)[X.byName(name).orElseThrow().number()];
    }

    @Test
    void classes() {
        assertTrue(sel("trace=%file", "openat"));
        assertTrue(sel("trace=%file", "newfstatat"));
        assertTrue(sel("trace=%file", "execve"));
        assertFalse(sel("trace=%file", "getppid"));
        assertFalse(sel("trace=%file", "read"));
        assertTrue(sel("trace=%desc", "read"));
        assertTrue(sel("trace=%net", "connect"));
        assertTrue(sel("trace=%network", "accept4"));
        assertTrue(sel("trace=%process", "clone"));
        assertTrue(sel("trace=%memory", "mmap"));
        assertTrue(sel("trace=%stat", "stat"));
        assertFalse(sel("trace=%stat", "lstat"));
        assertTrue(sel("trace=%lstat", "lstat"));
        assertTrue(sel("trace=%fstat", "newfstatat"));
        assertTrue(sel("trace=%%stat", "statx"));
        assertTrue(sel("trace=%%statfs", "fstatfs"));
        assertTrue(sel("trace=%pure", "getppid"));
        assertTrue(sel("file", "openat"));
        // Bare names are syscalls, except strace's seven legacy classes: trace=stat is stat(2), not %stat.
        assertTrue(sel("trace=stat", "stat"));
        assertFalse(sel("trace=stat", "newfstatat"));
        assertFalse(sel("trace=fstat,lstat,statfs", "newfstatat"));
        assertTrue(sel("trace=process", "clone"));
    }

    @Test
    void namesRegexNegationOptional() {
        assertTrue(sel("trace=openat,close", "close"));
        assertFalse(sel("trace=openat,close", "read"));
        assertTrue(sel("trace=/^stat", "statx"));
        assertFalse(sel("trace=/^stat", "newfstatat"));
        assertFalse(sel("trace=!openat", "openat"));
        assertTrue(sel("trace=!openat", "read"));
        assertTrue(sel("trace=?nosuchcall,openat", "openat"));
        assertTrue(sel("openat", "openat"));
        assertTrue(sel("trace=all", "read"));
        assertFalse(sel("trace=none", "read"));
        // strace 6.1, measured: -e trace=openat -e trace=close shows close only; the last trace= wins.
        boolean[] s = SyscallFilter.parse(List.of("trace=openat", "trace=close")).selection(X);
        assertTrue(s[3] && !s[257], "the last trace= wins");
        s = SyscallFilter.parse(List.of("trace=unlink", "trace=!unlink")).selection(X);
        assertTrue(s[0] && !s[X.byName("unlink").orElseThrow().number()], "everything but unlink");
    }

    @Test
    void unknownNamesAreUsageErrors() {
        var e = assertThrows(TaskscopeException.class, () -> SyscallFilter.parse(List.of("trace=opne")));
        assertEquals(TaskscopeException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().contains("'opne'"));
        assertThrows(TaskscopeException.class, () -> SyscallFilter.parse(List.of("trace=%files")));
        assertThrows(TaskscopeException.class, () -> SyscallFilter.parse(List.of("trace=/(")));
        assertThrows(TaskscopeException.class, () -> SyscallFilter.parse(List.of("status=weird")));
        assertThrows(TaskscopeException.class, () -> SyscallFilter.parse(List.of("signal=SIGINT")));
    }

    @Test
    void status() {
        SyscallFilter f = SyscallFilter.parse(List.of("status=failed"));
        assertTrue(f.shows(true));
        assertFalse(f.shows(false));
        assertFalse(SyscallFilter.all().successfulOnly().shows(true));
        assertTrue(SyscallFilter.all().shows(true) && SyscallFilter.all().shows(false));
    }
}
