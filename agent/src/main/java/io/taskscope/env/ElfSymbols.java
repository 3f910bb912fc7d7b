package io.taskscope.env;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The few facts taskscope needs from a shared object or executable: where its first PT_LOAD
 * segment starts and the values of some dynamic symbols. The file comes from a neighbour's
 * container, so it is parsed defensively: every offset and size is checked against the file,
 * counts are capped, and anything inconsistent is rejected with the reason.
 *
 * <p>ELF64 little-endian only (x86_64 and aarch64, which is what Fargate runs).
 */
public final class ElfSymbols {
    static final int MAX_PHNUM = 512, MAX_SHNUM = 8192, MAX_SYMBOLS = 2_000_000;
    private static final int PT_LOAD = 1, SHT_DYNSYM = 11, SHT_STRTAB = 3, SHN_UNDEF = 0;

    /** A file that is not an ELF taskscope can read, with why. */
    public static final class ElfException extends Exception {
        private static final long serialVersionUID = 1L;

        ElfException(String reason) {
            super(reason);
        }
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

    /** Parses {@code file}, keeping only the defined dynamic symbols named in {@code wanted}. */
    public static ElfSymbols parse(byte[] file, Set<String> wanted) throws ElfException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 64) throw new ElfException("too short for an ELF header (" + file.length + " bytes)");
        if (file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' || file[3] != 'F') throw new ElfException("no ELF magic");
        if (file[4] != 2) throw new ElfException("not a 64-bit ELF (class " + file[4] + ")");
        if (file[5] != 1) throw new ElfException("not little-endian (data " + file[5] + ")");
        int machine = Short.toUnsignedInt(b.getShort(18));
        long phoff = b.getLong(32);
        long shoff = b.getLong(40);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        int shentsize = Short.toUnsignedInt(b.getShort(58));
        int shnum = Short.toUnsignedInt(b.getShort(60));

        if (phnum == 0 || phnum > MAX_PHNUM) throw new ElfException("implausible program header count " + phnum);
        if (phentsize != 56) throw new ElfException("unexpected program header size " + phentsize);
        checkRange(file, phoff, (long) phnum * phentsize, "program headers");
        long firstLoad = Long.MAX_VALUE;
        for (int i = 0; i < phnum; i++) {
            int off = (int) (phoff + (long) i * phentsize);
            if (b.getInt(off) == PT_LOAD) {
                long vaddr = b.getLong(off + 16);
                if (vaddr >= 0 && vaddr < firstLoad) firstLoad = vaddr;
            }
        }
        if (firstLoad == Long.MAX_VALUE) throw new ElfException("no PT_LOAD segment");
        firstLoad &= ~0xfffL;

        if (shoff == 0 || shnum == 0) throw new ElfException("no section headers (a stripped-down ELF); cannot find the dynamic symbol table");
        if (shnum > MAX_SHNUM) throw new ElfException("implausible section count " + shnum);
        if (shentsize != 64) throw new ElfException("unexpected section header size " + shentsize);
        checkRange(file, shoff, (long) shnum * shentsize, "section headers");

        Map<String, Long> found = new HashMap<>();
        boolean sawDynsym = false;
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != SHT_DYNSYM) continue;
            sawDynsym = true;
            long symOff = b.getLong(sh + 24);
            long symSize = b.getLong(sh + 32);
            int link = b.getInt(sh + 40);
            long entsize = b.getLong(sh + 56);
            if (entsize != 24) throw new ElfException("unexpected symbol entry size " + entsize);
            checkRange(file, symOff, symSize, ".dynsym");
            if (symSize / 24 > MAX_SYMBOLS) throw new ElfException("implausible symbol count " + symSize / 24);
            if (link <= 0 || link >= shnum) throw new ElfException(".dynsym links to section " + link + " of " + shnum);
            int str = (int) (shoff + (long) link * shentsize);
            if (b.getInt(str + 4) != SHT_STRTAB) throw new ElfException(".dynsym's string table is not a string table");
            long strOff = b.getLong(str + 24);
            long strSize = b.getLong(str + 32);
            checkRange(file, strOff, strSize, ".dynstr");
            for (long s = 0; s + 24 <= symSize; s += 24) {
                int e = (int) (symOff + s);
                long nameIdx = Integer.toUnsignedLong(b.getInt(e));
                int shndx = Short.toUnsignedInt(b.getShort(e + 6));
                if (shndx == SHN_UNDEF || nameIdx == 0 || nameIdx >= strSize) continue;
                String name = cString(file, (int) (strOff + nameIdx), (int) (strOff + strSize));
                if (name != null && wanted.contains(name)) found.putIfAbsent(name, b.getLong(e + 8));
            }
        }
        if (!sawDynsym) throw new ElfException("no dynamic symbol table (.dynsym); a static binary?");
        return new ElfSymbols(firstLoad, found, machine);
    }

    private static void checkRange(byte[] file, long off, long len, String what) throws ElfException {
        if (off < 0 || len < 0 || off > file.length || len > file.length - off) {
            throw new ElfException(what + " at offset " + off + " (+" + len + ") lie outside the " + file.length + "-byte file");
        }
    }

    /** The NUL-terminated name at {@code start}, or null when it runs past {@code end}. */
    private static String cString(byte[] file, int start, int end) {
        for (int i = start; i < end && i - start < 1024; i++) {
            if (file[i] == 0) return new String(file, start, i - start, StandardCharsets.ISO_8859_1);
        }
        return null;
    }
}
