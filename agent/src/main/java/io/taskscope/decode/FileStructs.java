package io.taskscope.decode;

import io.taskscope.linux.Arch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * File structs as strace prints them (its stat.c, statx.c, statfs.c): strace's abbreviated struct stat and statx,
 * struct statfs, file modes, and getdents64's entry count. Layouts are the 64-bit ABIs'; stat differs between
 * x86_64 and aarch64.
 */
final class FileStructs {
    private final Xlat xlat;
    private final boolean x86;

    FileStructs(Xlat xlat, Arch arch) {
        this.xlat = xlat;
        this.x86 = arch == Arch.X86_64;
    }

    private static String hex(long v) {
        return Strings.hex(v);
    }

    private static String mode(long v) {
        return Arguments.mode(v);
    }

    private static ByteBuffer struct(long addr, int size, TraceeMemory mem) {
        return Structs.struct(addr, size, mem);
    }

    String stat(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, x86 ? 144 : 128, mem);
        if (b == null) return hex(addr);
        long mode = (x86 ? b.getInt(24) : b.getInt(16)) & 0xffffffffL;
        long rdev = x86 ? b.getLong(40) : b.getLong(32);
        long size = b.getLong(48);
        return "{st_mode=" + fileMode(mode) + ", " + sizeOrRdev(mode, size, major(rdev), minor(rdev)) + ", ...}";
    }

    String statx(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 256, mem);
        if (b == null) return hex(addr);
        long mask = b.getInt(0) & 0xffffffffL;
        long attrs = b.getLong(8);
        long mode = b.getShort(28) & 0xffff;
        long size = b.getLong(40);
        return "{stx_mask=" + xlat.flagsOrZero("statx_mask", mask) + ", stx_attributes=" + hex(attrs) + ", stx_mode="
                + fileMode(mode) + ", " + sizeOrRdev(mode, size, b.getInt(128), b.getInt(132)).replace("st_", "stx_")
                + ", ...}";
    }

    String statfs(long addr, TraceeMemory mem) {
        ByteBuffer b = struct(addr, 120, mem);
        if (b == null) return hex(addr);
        long type = b.getLong(0);
        String name = xlat.name("fs_magic", type);
        return "{f_type=" + (name != null ? name : hex(type)) + ", f_bsize=" + b.getLong(8) + ", f_blocks=" + b.getLong(16)
                + ", f_bfree=" + b.getLong(24) + ", f_bavail=" + b.getLong(32) + ", f_files=" + b.getLong(40)
                + ", f_ffree=" + b.getLong(48) + ", f_fsid={val=[" + hex(b.getInt(56) & 0xffffffffL) + ", "
                + hex(b.getInt(60) & 0xffffffffL) + "]}, f_namelen=" + b.getLong(64) + ", f_frsize=" + b.getLong(72)
                + ", f_flags=" + xlat.flagsOrZero("statfs_flags", b.getLong(80)) + "}";
    }

    /** "S_IFREG|0644", "S_IFDIR|S_ISVTX|0777". */
    String fileMode(long mode) {
        String type = xlat.name("file_types", mode & 0170000);
        String special = xlat.flags("mode_bits", mode & 07000);
        StringBuilder s = new StringBuilder();
        if (type != null) s.append(type).append('|');
        else if ((mode & 0170000) != 0) s.append(mode(mode & 0170000)).append('|');
        if (!special.isEmpty()) s.append(special).append('|');
        return s.append(mode(mode & 0777)).toString();
    }

    private static String sizeOrRdev(long mode, long size, long major, long minor) {
        long type = mode & 0170000;
        if (type == 0020000 || type == 0060000) {
            return "st_rdev=makedev(0x" + Long.toHexString(major) + ", 0x" + Long.toHexString(minor) + ")";
        }
        return "st_size=" + size;
    }

    private static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    static int dirents(long addr, long len, TraceeMemory mem) {
        int size = (int) Math.min(len, 65536);
        if (size <= 0) return 0;
        byte[] b = new byte[size];
        int n = mem.read(addr, b, 0, size);
        if (n <= 0) return 0;
        ByteBuffer bb = ByteBuffer.wrap(b, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        int count = 0;
        for (int off = 0; off + 18 < n; count++) {
            int reclen = bb.getShort(off + 16) & 0xffff;
            if (reclen == 0) break;
            off += reclen;
        }
        return count;
    }
}
