package io.taskscope.trace;

import io.taskscope.decode.SyscallDecoder.Decoded;

/** One traced thread: tracer-thread state only. */
final class Tracee {
    int tid;
    final Proc proc;
    /** How it is resumed: PTRACE_CONT or PTRACE_SYSCALL. */
    TraceMode mode;
    /** A mode to take at its next stop (a switch asked for while it ran); null when none. */
    TraceMode pendingMode;
    boolean inSyscall, selected, compat, detaching, listening;
    long nr, entryNanos, resumedNanos;
    /**
     * The call whose exit this thread showed last, which a restart_syscall resumes (strace's s_prev_ent): 0 after an
     * exit without its entry, or from an attached thread's first stop, as strace's call number is then; -1 (strace's
     * "system call") when neither was seen.
     */
    long prevNr = -1;
    /** Seized by an attach (not born traced), until its first stop. */
    boolean grabbed;
    final long[] args = new long[6];
    Decoded entryDecoded;

    Tracee(int tid, Proc proc, TraceMode mode) {
        this.tid = tid;
        this.proc = proc;
        this.mode = mode;
    }
}
