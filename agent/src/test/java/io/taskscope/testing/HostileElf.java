package io.taskscope.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Crafted "C libraries" for the env hardening tests: valid ELF64 headers around symbol and hash
 * tables built to make a naive reader do quadratic or endless work, and real files padded to
 * hundreds of MiB. A test maps one into a process under the name libc.so.6, where env looks for the
 * environ pointer.
 */
public final class HostileElf {
    public enum Shape {
        /** A SysV .hash with one bucket and nchain = every symbol: one chain as long as the table. */
        SYSV_ONE_BUCKET,
        /** A SysV .hash whose chain loops and never reaches STN_UNDEF. */
        SYSV_CYCLIC,
        /** A .gnu.hash whose bloom filter passes everything and whose chain never has its end bit. */
        GNU_BLOATED,
        /** The section table names the same large .dynsym thousands of times. */
        REPEATED_DYNSYM
    }

    private static final int SHT_STRTAB = 3, SHT_HASH = 5, SHT_DYNSYM = 11, SHT_GNU_HASH = 0x6ffffff6;

    private HostileElf() {}

    /**
     * Writes a crafted ELF of {@code symbols} dynamic symbols, every one defined and named by the same
     * 3,000-byte string that starts like "environ" (so prefix checks pass and C strings run long); the
     * string table also holds "__environ", which no symbol names.
     */
    public static Path write(Path file, Shape shape, int symbols) throws IOException {
        int repeats = shape == Shape.REPEATED_DYNSYM ? 4000 : 1;
        byte[] name = ("environ" + "X".repeat(3000)).getBytes(StandardCharsets.ISO_8859_1);
        byte[] real = "__environ".getBytes(StandardCharsets.ISO_8859_1); // present, named by no symbol: no early exit
        long strOff = 0x1000, strSize = 1 + name.length + 1 + real.length + 1;
        long symOff = align(strOff + strSize), symSize = 24L * symbols;
        long hashOff = align(symOff + symSize);
        long hashSize = switch (shape) {
            case SYSV_ONE_BUCKET, SYSV_CYCLIC -> 4L * (2 + 1 + symbols);
            case GNU_BLOATED -> 16 + 8 + 4 + 4L * symbols;
            case REPEATED_DYNSYM -> 0;
        };
        long shOff = align(hashOff + hashSize);
        int shnum = 4 + repeats - 1;
        long total = shOff + 64L * shnum;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer h = le(64 + 56);
            h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
            h.putShort(16, (short) 3).putShort(18, (short) 62).putInt(20, 1).putLong(32, 64).putLong(40, shOff)
                    .putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1)
                    .putShort(58, (short) 64).putShort(60, (short) shnum).putShort(62, (short) 1);
            h.putInt(64, 1).putInt(68, 5).putLong(72, 0).putLong(80, 0).putLong(88, 0).putLong(96, total)
                    .putLong(104, total).putLong(112, 0x1000);
            write(ch, 0, h);
            ByteBuffer str = le((int) strSize);
            str.put(1, name).put(1 + name.length + 1, real);
            write(ch, strOff, str);
            ByteBuffer sym = le(24 * 65536);
            for (int first = 0; first < symbols; first += 65536) {
                int n = Math.min(65536, symbols - first);
                sym.clear();
                for (int i = 0; i < n; i++) {
                    int e = 24 * i;
                    sym.putInt(e, 1).put(e + 4, (byte) 0x12).putShort(e + 6, (short) 1).putLong(e + 8, first + i);
                }
                sym.limit(24 * n);
                write(ch, symOff + 24L * first, sym);
            }
            if (hashSize > 0) write(ch, hashOff, hash(shape, symbols, (int) hashSize));
            ByteBuffer sh = le(64 * shnum);
            section(sh, 1, SHT_STRTAB, strOff, strSize, 0, 0);
            for (int r = 0; r < repeats; r++) section(sh, 2 + r + (r > 0 ? 1 : 0), SHT_DYNSYM, symOff, symSize, 1, 24);
            if (hashSize > 0) section(sh, 3, shape == Shape.GNU_BLOATED ? SHT_GNU_HASH : SHT_HASH, hashOff, hashSize, 2, 4);
            else section(sh, 3, SHT_STRTAB, strOff, strSize, 0, 0);
            write(ch, shOff, sh);
        }
        return file;
    }

    private static ByteBuffer hash(Shape shape, int symbols, int size) {
        ByteBuffer b = le(size);
        if (shape == Shape.GNU_BLOATED) {
            b.putInt(0, 1).putInt(4, 1).putInt(8, 1).putInt(12, 6); // nbuckets, symoffset, bloom words, shift
            b.putLong(16, -1L);                                      // a bloom filter that lets everything through
            b.putInt(24, 1);                                         // bucket 0 starts at symbol 1
            for (int i = 0; i < symbols; i++) b.putInt(28 + 4 * i, 0x1c0e8c5a & ~1); // never the end bit
        } else {
            b.putInt(0, 1).putInt(4, symbols);
            b.putInt(8, shape == Shape.SYSV_CYCLIC ? 1 : symbols - 1);
            for (int i = 0; i < symbols; i++) {
                int next = shape == Shape.SYSV_CYCLIC ? 1 + i % Math.max(1, symbols - 1) : i - 1;
                b.putInt(12 + 4 * i, Math.max(next, 0));
            }
        }
        return b;
    }

    private static void section(ByteBuffer sh, int index, int type, long off, long size, int link, long entsize) {
        int s = 64 * index;
        sh.putInt(s + 4, type).putLong(s + 24, off).putLong(s + 32, size).putInt(s + 40, link).putLong(s + 48, 8)
                .putLong(s + 56, entsize);
    }

    /** A copy of {@code elf} grown with a hole of zeros to {@code size} bytes (sparse: no disk is used for it). */
    public static Path padded(Path file, Path elf, long size) throws IOException {
        Files.copy(elf, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return file;
    }

    /** The machine's own C library (glibc). */
    public static Path systemLibc() {
        for (String p : new String[] {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6"}) {
            if (Files.exists(Path.of(p))) return Path.of(p);
        }
        throw new IllegalStateException("no glibc libc.so.6 found");
    }

    private static long align(long v) {
        return (v + 4095) & ~4095L;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void write(FileChannel ch, long pos, ByteBuffer b) throws IOException {
        b.position(0);
        while (b.hasRemaining()) pos += ch.write(b, pos);
    }
}
