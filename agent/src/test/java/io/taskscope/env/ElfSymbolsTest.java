package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ElfSymbolsTest {
    static final Set<String> WANTED = Set.of("__environ", "environ", "_environ");

    static byte[] libc() throws Exception {
        for (String p : new String[] {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6", "/lib/ld-musl-x86_64.so.1"}) {
            if (Files.exists(Path.of(p))) return Files.readAllBytes(Path.of(p));
        }
        throw new IllegalStateException("no libc found");
    }

    @Test
    void findsEnvironInTheRealLibc() throws Exception {
        ElfSymbols elf = ElfSymbols.parse(libc(), WANTED);
        long v = elf.symbol("__environ").orElseThrow();
        assertTrue(v > 0);
        assertEquals(v, elf.symbol("environ").orElseThrow(), "environ is an alias of __environ");
        assertEquals(0, elf.firstLoadVaddr());
    }

    @Test
    void rejectsNonsenseWithAReason() throws Exception {
        assertThrows(ElfSymbols.ElfException.class, () -> ElfSymbols.parse(new byte[10], WANTED));
        assertThrows(ElfSymbols.ElfException.class, () -> ElfSymbols.parse("#!/bin/sh\necho hi\n".repeat(10).getBytes(), WANTED));
        byte[] lib = libc();
        byte[] cut = Arrays.copyOf(lib, 4096);
        var e = assertThrows(ElfSymbols.ElfException.class, () -> ElfSymbols.parse(cut, WANTED));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
        byte[] hugeShnum = lib.clone();
        ByteBuffer.wrap(hugeShnum).order(ByteOrder.LITTLE_ENDIAN).putShort(60, (short) 0xffff);
        assertThrows(ElfSymbols.ElfException.class, () -> ElfSymbols.parse(hugeShnum, WANTED));
        byte[] negOff = lib.clone();
        ByteBuffer.wrap(negOff).order(ByteOrder.LITTLE_ENDIAN).putLong(40, -64L);
        assertThrows(ElfSymbols.ElfException.class, () -> ElfSymbols.parse(negOff, WANTED));
    }

    @Test
    void mutatedHeadersNeverCrashTheParser() throws Exception {
        byte[] lib = Files.readAllBytes(Path.of("/usr/bin/true")); // small, so thousands of mutants stay fast
        ByteBuffer b = ByteBuffer.wrap(lib).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(40);
        int shnum = Short.toUnsignedInt(b.getShort(60));
        Random rnd = new Random(42);
        for (int i = 0; i < 3000; i++) {
            byte[] m = lib.clone();
            for (int k = 0; k < 4; k++) {
                int pos = switch (rnd.nextInt(3)) {
                    case 0 -> rnd.nextInt(64);
                    case 1 -> 64 + rnd.nextInt(56 * Short.toUnsignedInt(b.getShort(56)));
                    default -> (int) shoff + rnd.nextInt(shnum * 64);
                };
                m[pos] = (byte) rnd.nextInt(256);
            }
            try {
                ElfSymbols.parse(m, WANTED);
            } catch (ElfSymbols.ElfException expected) {
                // a reason, not a crash
            }
        }
    }
}
