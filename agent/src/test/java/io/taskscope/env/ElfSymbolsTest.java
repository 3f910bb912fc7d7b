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

    /** A file read through positional reads only, counting the bytes asked for. */
    static final class CountingSource implements ElfSymbols.Source {
        final java.nio.channels.FileChannel ch;
        long bytesRead;

        CountingSource(Path p) throws Exception {
            ch = java.nio.channels.FileChannel.open(p);
        }

        @Override
        public long size() {
            try {
                return ch.size();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public int read(long offset, byte[] dst, int len) {
            try {
                bytesRead += len;
                return Math.max(0, ch.read(ByteBuffer.wrap(dst, 0, len), offset));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(io.taskscope.testing.HostileElf.Shape.class)
    void craftedTablesCostOneLinearPass(io.taskscope.testing.HostileElf.Shape shape, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path f = io.taskscope.testing.HostileElf.write(dir.resolve("libc.so.6"), shape,
                shape == io.taskscope.testing.HostileElf.Shape.REPEATED_DYNSYM ? 65536 : ElfSymbols.MAX_SYMBOLS);
        CountingSource src = new CountingSource(f);
        long t0 = System.nanoTime();
        try {
            ElfSymbols elf = ElfSymbols.parse(src, WANTED);
            assertTrue(elf.symbol("environ").isEmpty() && elf.symbol("__environ").isEmpty());
        } catch (ElfSymbols.ElfException e) {
            assertEquals(io.taskscope.testing.HostileElf.Shape.REPEATED_DYNSYM, shape, e.getMessage());
            assertTrue(e.getMessage().contains("more than one dynamic symbol table"), e.getMessage());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, shape + " took " + ms + " ms");
        assertTrue(src.bytesRead <= Files.size(f), "each byte read at most once: " + src.bytesRead + " of " + Files.size(f));
        src.ch.close();
    }

    @org.junit.jupiter.api.Test
    void aHugeOrPaddedFileIsNotRead(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path big = io.taskscope.testing.HostileElf.write(dir.resolve("big.so"), io.taskscope.testing.HostileElf.Shape.SYSV_ONE_BUCKET,
                ElfSymbols.MAX_SYMBOLS + 1);
        CountingSource src = new CountingSource(big);
        var e = assertThrows(ElfSymbols.ElfException.class, () -> ElfSymbols.parse(src, WANTED));
        assertTrue(e.getMessage().contains("implausible symbol count " + (ElfSymbols.MAX_SYMBOLS + 1)), e.getMessage());
        assertTrue(src.bytesRead < 1 << 20, "headers only: " + src.bytesRead);
        src.ch.close();
        // The real libc padded to 200 MiB: its symbols are found, and only its headers and dynamic tables are read.
        Path padded = io.taskscope.testing.HostileElf.padded(dir.resolve("libc.so.6"), io.taskscope.testing.HostileElf.systemLibc(), 200L << 20);
        CountingSource p = new CountingSource(padded);
        assertTrue(ElfSymbols.parse(p, WANTED).symbol("__environ").isPresent());
        assertTrue(p.bytesRead < 1 << 20, "read " + p.bytesRead + " bytes of 200 MiB");
        p.ch.close();
    }
}
