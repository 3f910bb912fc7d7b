package io.taskscope.proc;

/** Byte-level number parsing for procfs files: no regex, no String on the hot path. */
final class Parse {
    private Parse() {}

    /**
     * The decimal number in {@code buf[from, to)}, with an optional sign. Values above
     * Long.MAX_VALUE wrap like an unsigned 64-bit number (RLIM_INFINITY reads as -1).
     * Stops at the first non-digit; returns 0 when there are no digits.
     */
    static long number(byte[] buf, int from, int to) {
        int i = from;
        while (i < to && (buf[i] == ' ' || buf[i] == '\t')) i++;
        boolean negative = false;
        if (i < to && (buf[i] == '-' || buf[i] == '+')) {
            negative = buf[i] == '-';
            i++;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) break;
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /** The hexadecimal number in {@code buf[from, to)} (capability masks). */
    static long hex(byte[] buf, int from, int to) {
        int i = from;
        while (i < to && (buf[i] == ' ' || buf[i] == '\t')) i++;
        long v = 0;
        for (; i < to; i++) {
            int c = buf[i];
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else break;
            v = (v << 4) | d;
        }
        return v;
    }

    /** Whitespace-separated decimal numbers in {@code buf[from, to)}. */
    static int[] numbers(byte[] buf, int from, int to) {
        int count = 0;
        boolean in = false;
        for (int i = from; i < to; i++) {
            boolean digit = buf[i] >= '0' && buf[i] <= '9' || buf[i] == '-';
            if (digit && !in) count++;
            in = digit;
        }
        int[] out = new int[count];
        int n = 0;
        int i = from;
        while (i < to && n < count) {
            while (i < to && !(buf[i] >= '0' && buf[i] <= '9' || buf[i] == '-')) i++;
            int start = i;
            while (i < to && (buf[i] >= '0' && buf[i] <= '9' || buf[i] == '-')) i++;
            out[n++] = (int) number(buf, start, i);
        }
        return out;
    }
}
