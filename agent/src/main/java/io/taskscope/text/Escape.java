package io.taskscope.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;

/**
 * The one escaping policy for everything taskscope prints. Strings read from a neighbour (comm,
 * argv, paths, link targets, container names, environment) are hostile: a comm of
 * {@code \e]0;PWN\a\e[2J} retitles and clears the operator's terminal, a C1 control (U+0080..U+009F,
 * e.g. U+009B, the one-byte CSI) does the same on terminals that honour them, and a byte that is not
 * UTF-8 must neither vanish nor look like another name.
 *
 * <ul>
 *   <li>{@link #text}: for terminals and logs, as strace {@code -x} quotes strings: {@code \\},
 *       {@code \n \t \r \v \f}, every other C0 control and DEL as {@code \xNN}, a C1 control as the
 *       {@code \xc2\xNN} of its UTF-8 bytes, a byte that was not UTF-8 (see {@link Bytes}) as
 *       {@code \xNN}. Every other character, non-ASCII included, is printed as itself. The result reads
 *       back with {@link #unescape} to the same bytes, so two different names never print alike.</li>
 *   <li>{@link #controls}: the same without touching backslashes, for a whole line or message that
 *       may already hold escaped parts (idempotent); what the error printer and the log layout apply
 *       last, so nothing reaches a terminal raw even where a caller forgot {@link #text}.</li>
 *   <li>JSON ({@link #jsonFactory}, {@link #jsonMapper}): C0 as JSON requires, plus DEL, C1,
 *       U+2028/U+2029 as {@code \\u00XX}; a byte that was not UTF-8 as {@code \\udcXX} (XX the byte), the
 *       lone surrogate PEP 383 uses (Python: {@code json.loads(s).encode('utf-8', 'surrogateescape')}).</li>
 * </ul>
 */
public final class Escape {
    private Escape() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code s} made safe for a terminal, reversibly (see the class comment). Null stays null. */
    public static String text(String s) {
        return escape(s, true);
    }

    /** Like {@link #text} but leaves backslashes alone: for a line whose parts may be escaped already. */
    public static String controls(String s) {
        return escape(s, false);
    }

    private static String escape(String s, boolean backslash) {
        if (s == null) return null;
        int n = s.length();
        int i = 0;
        while (i < n && !needs(s.charAt(i), backslash)) i++;
        if (i == n) return s;
        StringBuilder sb = new StringBuilder(n + 16).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (!needs(c, backslash)) {
                sb.append(c);
                continue;
            }
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\u000b' -> sb.append("\\v");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x80) {
                        hex(sb, c);
                    } else if (c <= 0x9f) {
                        hex(sb, 0xc2);
                        hex(sb, c);
                    } else if (Bytes.isRaw(c)) {
                        hex(sb, c - 0xdc00);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else {
                        sb.append('?'); // a lone surrogate that stands for no byte
                    }
                }
            }
        }
        return sb.toString();
    }

    private static boolean needs(char c, boolean backslash) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || Character.isSurrogate(c) || (backslash && c == '\\');
    }

    private static void hex(StringBuilder sb, int b) {
        sb.append('\\').append('x').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
    }

    /**
     * What a user typed back to what it names: {@code \\}, {@code \n \t \r \v \f} and {@code \xNN} (two hex
     * digits, one byte) are read as {@link #text} writes them; any other backslash is kept as it is. The
     * bytes are decoded with {@link Bytes#decode}, so {@code \xff} names the file whose name holds byte 0xff.
     */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int n = s.length();
        int lit = 0;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) != '\\' || i + 1 >= n) continue;
            char e = s.charAt(i + 1);
            int b;
            int len = 2;
            switch (e) {
                case '\\' -> b = '\\';
                case 'n' -> b = '\n';
                case 't' -> b = '\t';
                case 'r' -> b = '\r';
                case 'v' -> b = 0x0b;
                case 'f' -> b = '\f';
                case 'x' -> {
                    int h = i + 3 < n ? hexValue(s.charAt(i + 2), s.charAt(i + 3)) : -1;
                    b = h;
                    len = 4;
                }
                default -> b = -1;
            }
            if (b < 0) continue;
            out.writeBytes(Bytes.encode(s.substring(lit, i)));
            out.write(b);
            i += len - 1;
            lit = i + 1;
        }
        out.writeBytes(Bytes.encode(s.substring(lit)));
        return Bytes.decode(out.toByteArray());
    }

    private static int hexValue(char a, char b) {
        int x = Character.digit(a, 16), y = Character.digit(b, 16);
        return x < 0 || y < 0 ? -1 : x * 16 + y;
    }

    /** Jackson's escapes for every JSON taskscope writes (see the class comment). */
    public static final CharacterEscapes JSON = new JsonEscapes();

    /** A JSON factory that applies {@link #JSON}. */
    public static JsonFactory jsonFactory() {
        JsonFactory f = new JsonFactory();
        f.setCharacterEscapes(JSON);
        return f;
    }

    /** An ObjectMapper whose output applies {@link #JSON}. */
    public static ObjectMapper jsonMapper() {
        return new ObjectMapper(jsonFactory());
    }

    private static final class JsonEscapes extends CharacterEscapes {
        private static final int[] ASCII = standardAsciiEscapesForJSON();
        private static final SerializedString[] C1 = new SerializedString[0xa0];
        private static final SerializedString[] RAW = new SerializedString[0x100];

        static {
            ASCII[0x7f] = ESCAPE_CUSTOM;
            for (int c = 0x7f; c < 0xa0; c++) C1[c] = new SerializedString(u(c));
            for (int b = 0x80; b < 0x100; b++) RAW[b] = new SerializedString(u(0xdc00 + b));
        }

        private static final SerializedString LS = new SerializedString("\\u2028"), PS = new SerializedString("\\u2029");

        static String u(int c) {
            return "\\u" + HEX[(c >> 12) & 0xf] + HEX[(c >> 8) & 0xf] + HEX[(c >> 4) & 0xf] + HEX[c & 0xf];
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch >= 0x7f && ch < 0xa0) return C1[ch];
            if (ch >= 0xd800 && ch <= 0xdfff) {
                if (ch >= 0xdc80 && ch <= 0xdcff) return RAW[ch - 0xdc00];
                return null; // a surrogate pair's half: Jackson writes the pair; a lone one cannot be asked for here
            }
            if (ch == 0x2028) return LS;
            if (ch == 0x2029) return PS;
            return null;
        }
    }
}
