package io.taskscope.text;

import java.io.ByteArrayOutputStream;

/**
 * Bytes from a neighbour (names, paths, argv, comm, environment) as Java strings, losslessly.
 *
 * <p>Linux names are bytes, not text: {@code $'x\377'} is a valid argument and a valid file name.
 * A plain UTF-8 decode turns every such byte into U+FFFD (or throws), so two different names print
 * the same and the original cannot be named again. {@link #decode} keeps well-formed UTF-8 as its
 * characters and maps each byte that is not part of a well-formed sequence to the lone surrogate
 * U+DC80..U+DCFF (PEP 383's "surrogateescape", what Python does for file names). Such a surrogate
 * never comes out of decoding valid UTF-8, so {@link #encode} gives back exactly the original bytes.
 *
 * <p>Output never shows those surrogates raw: {@link Escape#text} prints them as {@code \xNN},
 * JSON carries them as {@code &#92;udcNN} (see docs/events.md).
 */
public final class Bytes {
    private Bytes() {}

    /** The first and last char that stand for a raw byte 0x80..0xFF. */
    public static final char RAW_FIRST = '\udc80', RAW_LAST = '\udcff';

    public static String decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    /** {@code b[off, off+len)} as a string; bytes that are not well-formed UTF-8 become U+DC80+(byte-0x80). */
    public static String decode(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && b[i] >= 0) i++;
        if (i == end) return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1); // ASCII
        StringBuilder sb = new StringBuilder(len);
        for (int k = off; k < i; k++) sb.append((char) b[k]);
        while (i < end) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int need, min, cp;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1; min = 0x80; cp = c & 0x1f;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2; min = 0x800; cp = c & 0x0f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3; min = 0x10000; cp = c & 0x07;
            } else {
                sb.append(raw(c));
                i++;
                continue;
            }
            boolean ok = i + need < end;
            for (int k = 1; ok && k <= need; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) ok = false;
                else cp = (cp << 6) | (cc & 0x3f);
            }
            // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not well-formed UTF-8.
            if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                sb.append(raw(c));
                i++;
                continue;
            }
            sb.appendCodePoint(cp);
            i += need + 1;
        }
        return sb.toString();
    }

    /** The bytes {@code s} was decoded from: UTF-8, with each U+DC80..U+DCFF written as its byte. */
    public static byte[] encode(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && s.charAt(i) < 0x80) i++;
        if (i == n) return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 16);
        for (int k = 0; k < n; k++) {
            char c = s.charAt(k);
            if (c < 0x80) {
                out.write(c);
            } else if (isRaw(c)) {
                out.write(c - 0xdc00);
            } else if (c < 0x800) {
                out.write(0xc0 | (c >> 6));
                out.write(0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && k + 1 < n && Character.isLowSurrogate(s.charAt(k + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++k));
                out.write(0xf0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3f));
                out.write(0x80 | ((cp >> 6) & 0x3f));
                out.write(0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                out.write('?'); // a lone surrogate no decode produces: nothing to give back
            } else {
                out.write(0xe0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3f));
                out.write(0x80 | (c & 0x3f));
            }
        }
        return out.toByteArray();
    }

    /** Whether {@code c} stands for a raw byte (0x80..0xFF) that was not UTF-8. */
    public static boolean isRaw(char c) {
        return c >= RAW_FIRST && c <= RAW_LAST;
    }

    static char raw(int b) {
        return (char) (0xdc00 + b);
    }
}
