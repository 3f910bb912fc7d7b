package io.taskscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.linux.Arch;
import org.junit.jupiter.api.Test;

/** The generated tables against numbers everyone knows (arch/x86/entry/syscalls, include/uapi/asm-generic). */
class SyscallTableTest {
    @Test
    void x86_64KnownNumbers() {
        SyscallTable t = SyscallTable.of(Arch.X86_64);
        assertEquals("read", t.name(0));
        assertEquals("open", t.name(2));
        assertEquals("stat", t.name(4));
        assertEquals("execve", t.name(59));
        assertEquals("getppid", t.name(110));
        assertEquals("openat", t.name(257));
        assertEquals("newfstatat", t.name(262));
        assertEquals("statx", t.name(332));
        assertEquals("openat2", t.name(437));
        assertEquals(4, t.byName("newfstatat").orElseThrow().nargs());
        assertTrue(t.byName("openat").orElseThrow().in("file"));
        assertTrue(t.byName("openat").orElseThrow().in("desc"));
        assertTrue(t.byName("connect").orElseThrow().in("network"));
        assertTrue(t.byName("lstat").orElseThrow().in("lstat"));
        assertEquals("syscall_0x3e7", t.name(999));
    }

    @Test
    void aarch64UsesTheGenericTable() {
        SyscallTable t = SyscallTable.of(Arch.AARCH64);
        assertEquals("io_setup", t.name(0));
        assertEquals("openat", t.name(56));
        assertEquals("close", t.name(57));
        assertEquals("read", t.name(63));
        assertEquals("newfstatat", t.name(79));
        assertEquals("fstat", t.name(80));
        assertEquals("exit_group", t.name(94));
        assertEquals("getppid", t.name(173));
        assertEquals("execve", t.name(221));
        assertEquals("statx", t.name(291));
        assertTrue(t.byName("open").isEmpty(), "aarch64 has no open(2)");
        assertTrue(t.byName("stat").isEmpty(), "aarch64 has no stat(2)");
    }
}
