package io.taskscope.proc;

import io.taskscope.text.Bytes;
import java.util.List;

/**
 * The parts of {@code /proc/<pid>/status} taskscope uses. A line the kernel does not print (old
 * kernels lack NSpid, NoNewPrivs, Kthread) leaves its default: empty list, -1 or 0.
 *
 * @param name        the Name line (comm, escaped by the kernel)
 * @param tgid        the thread group ID (the process's PID)
 * @param ppid        the parent's PID
 * @param tracerPid   the PID of the process tracing this one, 0 when none
 * @param uid         real, effective, saved and filesystem user IDs
 * @param gid         real, effective, saved and filesystem group IDs
 * @param nspid       the PID in each PID namespace it belongs to, outermost (this procfs's) first
 * @param threads     number of threads
 * @param vmSizeKiB   virtual size in KiB
 * @param vmRssKiB    resident size in KiB
 * @param vmLckKiB    locked memory in KiB (ps shows L in STAT when not 0)
 * @param capInh      inheritable capabilities (bit n is capability n)
 * @param capPrm      permitted capabilities
 * @param capEff      effective capabilities
 * @param capBnd      the bounding set
 * @param capAmb      ambient capabilities
 * @param noNewPrivs  the no_new_privs bit, -1 when the kernel does not say
 * @param seccomp     0 disabled, 1 strict, 2 filter, -1 when the kernel does not say
 */
public record ProcStatus(String name, int tgid, int ppid, int tracerPid, Ids uid, Ids gid, List<Integer> nspid,
                         int threads, long vmSizeKiB, long vmRssKiB, long vmLckKiB, long capInh, long capPrm,
                         long capEff, long capBnd, long capAmb, int noNewPrivs, int seccomp) {

    /** The four IDs of a Uid or Gid line. */
    public record Ids(int real, int effective, int saved, int fs) {
        static final Ids UNKNOWN = new Ids(-1, -1, -1, -1);
    }

    /** The PID in the innermost PID namespace (the last NSpid entry), or tgid without NSpid. */
    public int innermostPid() {
        return nspid.isEmpty() ? tgid : nspid.get(nspid.size() - 1);
    }

    public static ProcStatus parse(String text) {
        byte[] b = Bytes.encode(text);
        return parse(b, b.length);
    }

    /** Parses the first {@code len} bytes of {@code buf}. */
    public static ProcStatus parse(byte[] buf, int len) {
        String name = "";
        int tgid = -1, ppid = -1, tracer = 0, threads = 0, nnp = -1, seccomp = -1;
        Ids uid = Ids.UNKNOWN, gid = Ids.UNKNOWN;
        List<Integer> nspid = List.of();
        long vmSize = 0, vmRss = 0, vmLck = 0, inh = 0, prm = 0, eff = 0, bnd = 0, amb = 0;
        int line = 0;
        while (line < len) {
            int end = line;
            while (end < len && buf[end] != '\n') end++;
            int colon = line;
            while (colon < end && buf[colon] != ':') colon++;
            if (colon < end) {
                int v = colon + 1;
                int klen = colon - line;
                switch (buf[line]) {
                    case 'N' -> {
                        if (is(buf, line, klen, "Name")) name = Bytes.decode(buf, v, end - v).strip();
                        else if (is(buf, line, klen, "NSpid")) nspid = list(Parse.numbers(buf, v, end));
                        else if (is(buf, line, klen, "NoNewPrivs")) nnp = (int) Parse.number(buf, v, end);
                    }
                    case 'T' -> {
                        if (is(buf, line, klen, "Tgid")) tgid = (int) Parse.number(buf, v, end);
                        else if (is(buf, line, klen, "TracerPid")) tracer = (int) Parse.number(buf, v, end);
                        else if (is(buf, line, klen, "Threads")) threads = (int) Parse.number(buf, v, end);
                    }
                    case 'P' -> {
                        if (is(buf, line, klen, "PPid")) ppid = (int) Parse.number(buf, v, end);
                    }
                    case 'U' -> {
                        if (is(buf, line, klen, "Uid")) uid = ids(buf, v, end);
                    }
                    case 'G' -> {
                        if (is(buf, line, klen, "Gid")) gid = ids(buf, v, end);
                    }
                    case 'V' -> {
                        if (is(buf, line, klen, "VmSize")) vmSize = Parse.number(buf, v, end);
                        else if (is(buf, line, klen, "VmRSS")) vmRss = Parse.number(buf, v, end);
                        else if (is(buf, line, klen, "VmLck")) vmLck = Parse.number(buf, v, end);
                    }
                    case 'C' -> {
                        if (klen == 6 && buf[line + 1] == 'a' && buf[line + 2] == 'p') {
                            long mask = Parse.hex(buf, v, end);
                            switch (buf[line + 3]) {
                                case 'I' -> inh = mask;
                                case 'P' -> prm = mask;
                                case 'E' -> eff = mask;
                                case 'B' -> bnd = mask;
                                case 'A' -> amb = mask;
                                default -> { }
                            }
                        }
                    }
                    case 'S' -> {
                        if (is(buf, line, klen, "Seccomp")) seccomp = (int) Parse.number(buf, v, end);
                    }
                    default -> { }
                }
            }
            line = end + 1;
        }
        return new ProcStatus(name, tgid, ppid, tracer, uid, gid, nspid, threads, vmSize, vmRss, vmLck,
                inh, prm, eff, bnd, amb, nnp, seccomp);
    }

    private static boolean is(byte[] buf, int from, int klen, String key) {
        if (klen != key.length()) return false;
        for (int i = 0; i < klen; i++) if (buf[from + i] != key.charAt(i)) return false;
        return true;
    }

    private static Ids ids(byte[] buf, int from, int to) {
        int[] n = Parse.numbers(buf, from, to);
        return n.length < 4 ? Ids.UNKNOWN : new Ids(n[0], n[1], n[2], n[3]);
    }

    private static List<Integer> list(int[] n) {
        Integer[] boxed = new Integer[n.length];
        for (int i = 0; i < n.length; i++) boxed[i] = n[i];
        return List.of(boxed);
    }
}
