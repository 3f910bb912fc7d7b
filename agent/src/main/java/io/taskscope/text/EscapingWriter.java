package io.taskscope.text;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * A writer that passes newlines and applies {@link Escape#controls} to everything else: the last line of
 * defence on stderr, where warnings and errors quote neighbours' names from many places.
 */
public final class EscapingWriter extends FilterWriter {
    private char pendingHigh;

    public EscapingWriter(Writer out) {
        super(out);
    }

    @Override
    public void write(int c) throws IOException {
        write(new char[] {(char) c}, 0, 1);
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
        write(s.toCharArray(), off, len);
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        StringBuilder sb = new StringBuilder(len + 8);
        int end = off + len;
        for (int i = off; i < end; i++) {
            char c = cbuf[i];
            if (pendingHigh != 0) {
                char h = pendingHigh;
                pendingHigh = 0;
                if (Character.isLowSurrogate(c)) {
                    sb.append(h).append(c);
                    continue;
                }
                sb.append('?');
            }
            if (Character.isHighSurrogate(c)) {
                pendingHigh = c;
            } else if (c == '\n') {
                sb.append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || Character.isSurrogate(c)) {
                sb.append(Escape.controls(String.valueOf(c)));
            } else {
                sb.append(c);
            }
        }
        out.write(sb.toString());
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
