package io.taskscope.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void namesAndMessagesMatchGlibc() {
        assertEquals("ENOENT (No such file or directory)", Errno.describe(2));
        assertEquals("EACCES", Errno.name(Errno.EACCES));
        assertEquals(Errno.ELOOP, Errno.byName("ELOOP"));
        assertEquals("E9999", Errno.name(9999));
    }

    @Test
    void nativeLibraryLoads() {
        assertEquals(ProcessHandle.current().pid(), LibC.getpid());
    }
}
