package io.taskscope.proc;

import io.taskscope.text.Bytes;
import java.util.Optional;

/**
 * One {@code /proc/<pid>/stat} line: pid, comm, state and the numeric fields of {@link StatField}.
 *
 * <p>comm is whatever the process named itself, spaces and {@code )} included, so it is cut
 * between the first {@code (} and the last {@code )}: nothing after comm can contain {@code )}.
 */
public final class ProcStat {
    private static final int FIELDS = StatField.values().length;

    private final int pid;
    private final String comm;
    private final char state;
    private final long[] values;

    private ProcStat(int pid, String comm, char state, long[] values) {
        this.pid = pid;
        this.comm = comm;
        this.state = state;
        this.values = values;
    }

    public int pid() {
        return pid;
    }

    /** The command name (at most 15 bytes, from the kernel). */
    public String comm() {
        return comm;
    }

    /** R, S, D, Z, T, t, X, I... as in proc(5). */
    public char state() {
        return state;
    }

    public long get(StatField field) {
        return values[field.index()];
    }

    public int ppid() {
        return (int) get(StatField.PPID);
    }

    public boolean kernelThread() {
        return (get(StatField.FLAGS) & StatField.PF_KTHREAD) != 0;
    }

    public boolean zombie() {
        return state == 'Z';
    }

    /** Parses a stat line; empty when it is not one (a truncated read, a hostile fixture). */
    public static Optional<ProcStat> parse(String line) {
        byte[] b = Bytes.encode(line);
        return parse(b, b.length);
    }

    /** Parses the first {@code len} bytes of {@code buf}; allocation-light, used on the snapshot's hot path. */
    public static Optional<ProcStat> parse(byte[] buf, int len) {
        int open = -1;
        for (int i = 0; i < len; i++) {
            if (buf[i] == '(') {
                open = i;
                break;
            }
        }
        int close = -1;
        for (int i = len - 1; i > open; i--) {
            if (buf[i] == ')') {
                close = i;
                break;
            }
        }
        if (open < 1 || close < 0 || close + 2 >= len) return Optional.empty();
        long pid = Parse.number(buf, 0, open - 1);
        if (pid <= 0) return Optional.empty();
        String comm = Bytes.decode(buf, open + 1, close - open - 1);
        char state = (char) (buf[close + 2] & 0xff);
        long[] values = new long[FIELDS];
        int field = 0;
        int i = close + 3;
        while (i < len && field < FIELDS) {
            while (i < len && buf[i] == ' ') i++;
            int start = i;
            while (i < len && buf[i] != ' ' && buf[i] != '\n') i++;
            if (i > start) values[field++] = Parse.number(buf, start, i);
            if (i < len && buf[i] == '\n') break;
        }
        // Older kernels print fewer fields; the ones every kernel since 2.6 prints must be there.
        if (field < StatField.RSS.index() + 1) return Optional.empty();
        return Optional.of(new ProcStat((int) pid, comm, state, values));
    }

    @Override
    public String toString() {
        return "ProcStat[pid=" + pid + ", comm=" + comm + ", state=" + state + "]";
    }
}
