package io.taskscope.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Strings and buffers in the tracee's memory, printed as strace prints them: C strings, data cut at {@code -s}
 * ({@code "..."} after a cut), strace's quoting, argv and envp arrays. Every read is bounded: a string by
 * {@code -s} (or PATH_MAX for paths, at most 1 MiB), an array by {@link #MAX_ARGV} pointers.
 */
final class Strings {
    static final int PATH_MAX = 4096;
    static final int MAX_ARGV = 256;

    final int stringLimit;
    private final byte[] scratch;

    Strings(int stringLimit) {
        this.stringLimit = stringLimit;
        this.scratch = new byte[Math.max(PATH_MAX, Math.min(stringLimit, 1 << 20)) + 1];
    }

    static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    static String ptr(long v) {
        return v == 0 ? "NULL" : "0x" + Long.toHexString(v);
    }

    /** A NUL-terminated string of at most {@code max} bytes as ISO-8859-1 (bytes kept), or null when unreadable. */
    String cString(long addr, int max, TraceeMemory mem) {
        if (addr == 0) return null;
        max = Math.min(max, scratch.length - 1);
        int got = 0;
        while (got < max) {
            int want = Math.min(256, max - got);
            int n = mem.read(addr + got, scratch, got, want);
            if (n <= 0) return got == 0 ? null : new String(scratch, 0, got, StandardCharsets.ISO_8859_1);
            for (int i = got; i < got + n; i++) {
                if (scratch[i] == 0) return new String(scratch, 0, i, StandardCharsets.ISO_8859_1);
            }
            got += n;
        }
        return new String(scratch, 0, got, StandardCharsets.ISO_8859_1);
    }

    /** A NUL-terminated string cut at -s, quoted, with "..." when longer. */
    String string(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        String raw = cString(addr, stringLimit + 1, mem);
        if (raw == null) return hex(addr);
        byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
        boolean cut = b.length > stringLimit;
        return quote(cut ? java.util.Arrays.copyOf(b, stringLimit) : b, cut);
    }

    /** {@code len} bytes of data cut at -s, quoted. */
    String buffer(long addr, long len, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        if (len <= 0) return "\"\"";
        int want = (int) Math.min(len, Math.min(stringLimit, scratch.length));
        if (want == 0) return quote(new byte[0], true); // -s 0: strace prints ""...
        byte[] b = new byte[want];
        int n = mem.read(addr, b, 0, want);
        if (n <= 0) return hex(addr);
        return quote(n < want ? java.util.Arrays.copyOf(b, n) : b, len > want);
    }

    /** strace's quoting: C escapes, octal for other non-printable bytes, "..." after a cut. */
    static String quote(byte[] b, boolean cut) {
        StringBuilder s = new StringBuilder(b.length + 8).append('"');
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\r' -> s.append("\\r");
                case 0x0b -> s.append("\\v");
                case 0x0c -> s.append("\\f");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        s.append((char) c);
                    } else {
                        boolean digitNext = i + 1 < b.length && b[i + 1] >= '0' && b[i + 1] <= '7';
                        String o = Integer.toOctalString(c);
                        s.append('\\').append(digitNext ? "0".repeat(3 - o.length()) + o : o);
                    }
                }
            }
        }
        s.append('"');
        if (cut) s.append("...");
        return s.toString();
    }

    /** getrandom's buffer: every byte as \\xNN (strace's QUOTE_FORCE_HEX), cut at -s. */
    String hexBuffer(long addr, long len, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        int want = (int) Math.min(Math.max(len, 0), Math.min(stringLimit, scratch.length));
        byte[] b = new byte[want];
        if (want > 0 && mem.read(addr, b, 0, want) != want) return hex(addr);
        StringBuilder s = new StringBuilder(want * 4 + 5).append('"');
        for (byte c : b) s.append("\\x").append(Character.forDigit((c >> 4) & 15, 16)).append(Character.forDigit(c & 15, 16));
        s.append('"');
        if (len > want) s.append("...");
        return s.toString();
    }

    long readLong(long addr, TraceeMemory mem) {
        byte[] b = new byte[8];
        if (mem.read(addr, b, 0, 8) != 8) return -1;
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }


    String argv(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < MAX_ARGV; i++) {
            long p = readLong(addr + 8L * i, mem);
            if (p == -1) return i == 0 ? hex(addr) : b.append(", ...]").toString();
            if (p == 0) return b.append(']').toString();
            if (i > 0) b.append(", ");
            if (i >= Math.max(stringLimit, 1)) return b.append("...]").toString();
            b.append(string(p, mem));
        }
        return b.append(", ...]").toString();
    }

    String envp(long addr, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        int n = 0;
        while (n < 4096) {
            long p = readLong(addr + 8L * n, mem);
            if (p == -1) return hex(addr);
            if (p == 0) break;
            n++;
        }
        return hex(addr) + " /* " + n + (n == 1 ? " var */" : " vars */");
    }    /** A string in a fixed-size field ({@code n} bytes, e.g. a task's comm): "..." when no NUL ends it there. */
    String fixedString(long addr, int n, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        int max = Math.min(n, stringLimit);
        String raw = cString(addr, max, mem);
        if (raw == null) return ptr(addr);
        byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
        return quote(b, b.length >= max && !terminatedAt(addr, max, mem));
    }

    private boolean terminatedAt(long addr, int at, TraceeMemory mem) {
        byte[] one = new byte[1];
        return mem.read(addr + at, one, 0, 1) == 1 && one[0] == 0;
    }
}
