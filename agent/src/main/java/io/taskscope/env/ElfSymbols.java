package io.taskscope.env;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The few facts taskscope needs from a shared object or executable: where its first PT_LOAD
 * segment starts and the values of some dynamic symbols. The file comes from a neighbour's
 * container, so it is hostile input, and the work and memory spent on it are bounded by design:
 *
 * <ul>
 *   <li>Only the ELF header, the program headers, the section headers, {@code .dynsym} and its
 *       {@code .dynstr} are read, with positional reads ({@link Source}): a file padded to hundreds of
 *       MiB costs what its headers cost. Nothing reads the whole file.</li>
 *   <li>One linear pass over {@code .dynstr} marks where a wanted name starts, then one linear pass
 *       over {@code .dynsym} tests each symbol's name offset against those marks (no string is built,
 *       no name compared per symbol). The hash tables ({@code .hash}, {@code .gnu.hash})
 *       are never read, so chains that are cyclic, bloated or all in one bucket cost nothing.</li>
 *   <li>Caps: {@value #MAX_PHNUM} program headers, {@value #MAX_SHNUM} sections, {@value #MAX_SYMBOLS}
 *       symbols, a {@value #MAX_DYNSTR}-byte string table, exactly one {@code .dynsym}. Anything past a
 *       cap or inconsistent is rejected with the reason.</li>
 * </ul>
 *
 * <p>ELF64 little-endian only (x86_64 and aarch64, which is what Fargate runs).
 */
public final class ElfSymbols {
    static final int MAX_PHNUM = 512, MAX_SHNUM = 4096, MAX_SYMBOLS = 1 << 18, MAX_DYNSTR = 16 << 20;
    private static final int PT_LOAD = 1, SHT_DYNSYM = 11, SHT_STRTAB = 3, SYM = 24, CHUNK_SYMBOLS = 4096;

    /** A file that is not an ELF taskscope can read, with why. */
    public static final class ElfException extends Exception {
        private static final long serialVersionUID = 1L;

        ElfException(String reason) {
            super(reason);
        }
    }

    /** Positional reads of the file: {@code read} fills {@code dst[0, len)} from {@code offset} or returns fewer at its end. */
    public interface Source {
        long size();

        int read(long offset, byte[] dst, int len);
    }

    private final long firstLoadVaddr;
    private final Map<String, Long> symbols;
    private final int machine;

    private ElfSymbols(long firstLoadVaddr, Map<String, Long> symbols, int machine) {
        this.firstLoadVaddr = firstLoadVaddr;
        this.symbols = symbols;
        this.machine = machine;
    }

    /** The page-aligned p_vaddr of the lowest PT_LOAD: what the mapping at file offset 0 corresponds to. */
    public long firstLoadVaddr() {
        return firstLoadVaddr;
    }

    /** e_machine: 62 for x86_64, 183 for aarch64. */
    public int machine() {
        return machine;
    }

    /** st_value of a defined dynamic symbol among those asked for. */
    public Optional<Long> symbol(String name) {
        return Optional.ofNullable(symbols.get(name));
    }

    /** Parses a file held in memory (tests, small files). */
    public static ElfSymbols parse(byte[] file, Set<String> wanted) throws ElfException {
        return parse(new Source() {
            @Override
            public long size() {
                return file.length;
            }

            @Override
            public int read(long offset, byte[] dst, int len) {
                if (offset >= file.length) return 0;
                int n = (int) Math.min(len, file.length - offset);
                System.arraycopy(file, (int) offset, dst, 0, n);
                return n;
            }
        }, wanted);
    }

    /** Parses the file {@code src} reads, keeping only the defined dynamic symbols named in {@code wanted}. */
    public static ElfSymbols parse(Source src, Set<String> wanted) throws ElfException {
        long size = src.size();
        if (size < 64) throw new ElfException("too short for an ELF header (" + size + " bytes)");
        ByteBuffer h = read(src, 0, 64, "the ELF header");
        if (h.get(0) != 0x7f || h.get(1) != 'E' || h.get(2) != 'L' || h.get(3) != 'F') throw new ElfException("no ELF magic");
        if (h.get(4) != 2) throw new ElfException("not a 64-bit ELF (class " + h.get(4) + ")");
        if (h.get(5) != 1) throw new ElfException("not little-endian (data " + h.get(5) + ")");
        int machine = Short.toUnsignedInt(h.getShort(18));
        long phoff = h.getLong(32);
        long shoff = h.getLong(40);
        int phentsize = Short.toUnsignedInt(h.getShort(54));
        int phnum = Short.toUnsignedInt(h.getShort(56));
        int shentsize = Short.toUnsignedInt(h.getShort(58));
        int shnum = Short.toUnsignedInt(h.getShort(60));

        if (phnum == 0 || phnum > MAX_PHNUM) throw new ElfException("implausible program header count " + phnum);
        if (phentsize != 56) throw new ElfException("unexpected program header size " + phentsize);
        checkRange(size, phoff, (long) phnum * phentsize, "program headers");
        ByteBuffer ph = read(src, phoff, phnum * phentsize, "program headers");
        long firstLoad = Long.MAX_VALUE;
        for (int i = 0; i < phnum; i++) {
            int off = i * phentsize;
            if (ph.getInt(off) == PT_LOAD) {
                long vaddr = ph.getLong(off + 16);
                if (vaddr >= 0 && vaddr < firstLoad) firstLoad = vaddr;
            }
        }
        if (firstLoad == Long.MAX_VALUE) throw new ElfException("no PT_LOAD segment");
        firstLoad &= ~0xfffL;

        if (shoff == 0 || shnum == 0) throw new ElfException("no section headers (a stripped-down ELF); cannot find the dynamic symbol table");
        if (shnum > MAX_SHNUM) throw new ElfException("implausible section count " + shnum + " (more than " + MAX_SHNUM + ")");
        if (shentsize != 64) throw new ElfException("unexpected section header size " + shentsize);
        checkRange(size, shoff, (long) shnum * shentsize, "section headers");
        ByteBuffer sh = read(src, shoff, shnum * shentsize, "section headers");

        int dynsym = -1;
        for (int i = 0; i < shnum; i++) {
            if (sh.getInt(i * 64 + 4) != SHT_DYNSYM) continue;
            if (dynsym >= 0) throw new ElfException("more than one dynamic symbol table (sections " + dynsym + " and " + i + ")");
            dynsym = i;
        }
        if (dynsym < 0) throw new ElfException("no dynamic symbol table (.dynsym); a static binary?");
        int s = dynsym * 64;
        long symOff = sh.getLong(s + 24);
        long symSize = sh.getLong(s + 32);
        int link = sh.getInt(s + 40);
        long entsize = sh.getLong(s + 56);
        if (entsize != SYM) throw new ElfException("unexpected symbol entry size " + entsize);
        checkRange(size, symOff, symSize, ".dynsym");
        if (symSize / SYM > MAX_SYMBOLS) throw new ElfException("implausible symbol count " + symSize / SYM + " (more than " + MAX_SYMBOLS + ")");
        if (link <= 0 || link >= shnum) throw new ElfException(".dynsym links to section " + link + " of " + shnum);
        int str = link * 64;
        if (sh.getInt(str + 4) != SHT_STRTAB) throw new ElfException(".dynsym's string table is not a string table");
        long strOff = sh.getLong(str + 24);
        long strSize = sh.getLong(str + 32);
        checkRange(size, strOff, strSize, ".dynstr");
        if (strSize > MAX_DYNSTR) throw new ElfException("implausible .dynstr size " + strSize + " (more than " + MAX_DYNSTR + " bytes)");
        byte[] strtab = read(src, strOff, (int) strSize, ".dynstr").array();

        // Where in .dynstr a wanted name starts: found from each NUL backwards, one pass over the table
        // (a name may share its tail with a longer one: "environ" inside "__environ").
        List<byte[]> names = wanted.stream().map(n -> n.getBytes(StandardCharsets.ISO_8859_1)).toList();
        BitSet starts = new BitSet(strtab.length);
        for (int z = 0; z < strtab.length; z++) {
            if (strtab[z] != 0) continue;
            for (byte[] name : names) {
                if (z >= name.length && Arrays.equals(strtab, z - name.length, z, name, 0, name.length)) starts.set(z - name.length);
            }
        }
        Map<String, Long> found = new HashMap<>();
        long count = symSize / SYM;
        byte[] chunk = new byte[CHUNK_SYMBOLS * SYM];
        for (long first = 0; first < count && !starts.isEmpty(); first += CHUNK_SYMBOLS) {
            int n = (int) Math.min(CHUNK_SYMBOLS, count - first);
            if (src.read(symOff + first * SYM, chunk, n * SYM) != n * SYM) {
                throw new ElfException(".dynsym at offset " + symOff + " could not be read (the file shrank?)");
            }
            for (int e = 0; e < n * SYM; e += SYM) {
                long nameIdx = (chunk[e] & 0xff) | (chunk[e + 1] & 0xff) << 8 | (chunk[e + 2] & 0xff) << 16 | (chunk[e + 3] & 0xffL) << 24;
                if (nameIdx >= strtab.length || !starts.get((int) nameIdx)) continue;
                if (chunk[e + 6] == 0 && chunk[e + 7] == 0) continue; // SHN_UNDEF: not defined here
                String name = cString(strtab, (int) nameIdx);
                starts.clear((int) nameIdx); // the first definition of a name wins; later ones cost nothing
                found.putIfAbsent(name, ByteBuffer.wrap(chunk, e + 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
            }
        }
        return new ElfSymbols(firstLoad, found, machine);
    }

    /** The NUL-terminated string at {@code at}: one of the wanted names, so short. */
    private static String cString(byte[] strtab, int at) {
        int end = at;
        while (strtab[end] != 0) end++;
        return new String(strtab, at, end - at, StandardCharsets.ISO_8859_1);
    }

    private static ByteBuffer read(Source src, long off, int len, String what) throws ElfException {
        byte[] b = new byte[len];
        int n = src.read(off, b, len);
        if (n != len) throw new ElfException(what + " at offset " + off + " (+" + len + ") could not be read (the file shrank?)");
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkRange(long size, long off, long len, String what) throws ElfException {
        if (off < 0 || len < 0 || off > size || len > size - off) {
            throw new ElfException(what + " at offset " + off + " (+" + len + ") lie outside the " + size + "-byte file");
        }
    }
}
