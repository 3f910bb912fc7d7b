package io.taskscope.decode;

import java.util.ArrayList;
import java.util.List;

/** Placeholder decoder: raw arguments. Replaced by the signature-driven decoder. */
public final class SyscallDecoder {
    private final SyscallTable table;

    public SyscallDecoder(SyscallTable table, int stringLimit, boolean decodeFds) {
        this.table = table;
    }

    /** A call decoded as strace prints it. */
    public record Decoded(List<String> args, String path, String flags) {}

    public boolean decodesAtEntry(long nr) {
        return false;
    }

    /** Finishes a call decoded at entry (execve) with its outcome. */
    public Decoded complete(Decoded atEntry, long nr, long rval, boolean failed, boolean finished) {
        return atEntry;
    }

    public Decoded decode(int pid, long nr, long[] args, long rval, boolean failed, boolean finished, TraceeMemory mem) {
        int n = table.byNumber(nr).map(Syscall::nargs).orElse(6);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add("0x" + Long.toHexString(args[i]));
        return new Decoded(out, null, null);
    }
}
