package io.taskscope.rules;

import java.util.Arrays;

/**
 * A condition's text with the file position of every character, so that an error deep in a folded
 * YAML block ({@code condition: >}) or in a condition appended from another file still names the
 * exact file, line and column. Folding only changes whitespace, so each non-blank character of the
 * value is found in order in the raw file from where the value starts.
 */
final class CondText {
    final String text;
    private final String[] files;
    private final int[] lines;
    private final int[] cols;

    private CondText(String text, String[] files, int[] lines, int[] cols) {
        this.text = text;
        this.files = files;
        this.lines = lines;
        this.cols = cols;
    }

    /** @param raw the whole file's text, or null when unknown (then every character maps to the value's start) */
    static CondText of(String file, String raw, Doc.Scalar s) {
        String t = s.text();
        int n = t.length();
        String[] f = new String[n + 1];
        Arrays.fill(f, file);
        int[] l = new int[n + 1];
        int[] c = new int[n + 1];
        int line = Math.max(1, s.line());
        int col = Math.max(1, s.column());
        Arrays.fill(l, line);
        Arrays.fill(c, col);
        if (raw != null && s.line() > 0) {
            int p = offsetOf(raw, line, col);
            int curLine = line;
            int lineStart = p - (col - 1);
            int lastLine = line;
            int lastCol = col;
            for (int i = 0; i < n; i++) {
                char ch = t.charAt(i);
                if (!Character.isWhitespace(ch)) {
                    int q = p;
                    int ql = curLine;
                    int qs = lineStart;
                    while (q < raw.length() && raw.charAt(q) != ch) {
                        if (raw.charAt(q) == '\n') {
                            ql++;
                            qs = q + 1;
                        }
                        q++;
                    }
                    if (q >= raw.length()) break; // escapes in a quoted value: keep the last good position
                    p = q + 1;
                    curLine = ql;
                    lineStart = qs;
                    lastLine = ql;
                    lastCol = q - qs + 1;
                }
                l[i] = lastLine;
                c[i] = lastCol;
            }
            l[n] = lastLine;
            c[n] = lastCol + 1;
        }
        return new CondText(t, f, l, c);
    }

    /** Plain text without a file (tests, exceptions built by the loader): positions are offsets. */
    static CondText plain(String where, String text) {
        int n = text.length();
        String[] f = new String[n + 1];
        Arrays.fill(f, where);
        int[] l = new int[n + 1];
        Arrays.fill(l, 0);
        int[] c = new int[n + 1];
        for (int i = 0; i <= n; i++) c[i] = i + 1;
        return new CondText(text, f, l, c);
    }

    /** A stand-in text for conditions built by the loader (exceptions): every position is (line, column). */
    static CondText at(String file, int line, int col, String text) {
        int n = text.length();
        String[] f = new String[n + 1];
        Arrays.fill(f, file);
        int[] l = new int[n + 1];
        Arrays.fill(l, Math.max(1, line));
        int[] c = new int[n + 1];
        Arrays.fill(c, Math.max(1, col));
        return new CondText(text, f, l, c);
    }

    /** This text, a space, then {@code more} (Falco appends conditions as text). */
    CondText append(CondText more) {
        int n = text.length();
        int m = more.text.length();
        String t = text + " " + more.text;
        String[] f = new String[t.length() + 1];
        int[] l = new int[t.length() + 1];
        int[] c = new int[t.length() + 1];
        System.arraycopy(files, 0, f, 0, n + 1);
        System.arraycopy(lines, 0, l, 0, n + 1);
        System.arraycopy(cols, 0, c, 0, n + 1);
        System.arraycopy(more.files, 0, f, n + 1, m + 1);
        System.arraycopy(more.lines, 0, l, n + 1, m + 1);
        System.arraycopy(more.cols, 0, c, n + 1, m + 1);
        return new CondText(t, f, l, c);
    }

    /** "file:line:column" of the character at {@code offset}. */
    String where(int offset) {
        int i = Math.max(0, Math.min(offset, text.length()));
        return lines[i] == 0 ? files[i] + ": column " + cols[i] : files[i] + ":" + lines[i] + ":" + cols[i];
    }

    private static int offsetOf(String raw, int line, int col) {
        int p = 0;
        for (int l = 1; l < line && p < raw.length(); p++) {
            if (raw.charAt(p) == '\n') l++;
        }
        return Math.min(raw.length(), p + col - 1);
    }
}
