package io.taskscope.linux;

/** Signal names by number (x86_64 and aarch64 share the generic numbering). */
public final class Signals {
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private Signals() {}

    /** "SIGTERM", "SIGRT_3" for real-time signals (strace's spelling), or the number. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) return NAMES[sig];
        if (sig >= 32 && sig <= 64) return "SIGRT_" + (sig - 32);
        return String.valueOf(sig);
    }

    /**
     * Gives SIGINT and SIGTERM their default disposition when they were inherited as ignored, so that the
     * JVM's handlers can be installed over them: the JVM leaves an ignored SIGINT/SIGTERM/SIGHUP alone (to
     * honour nohup), and a command started with '&' from a non-interactive script inherits SIGINT ignored,
     * where 'kill -INT' must still stop a trace cleanly, as it stops strace. SIGHUP keeps nohup's ignore.
     * Call right before registering handlers; a signal in between terminates the process, which the
     * tracer survives by design (no PTRACE_O_EXITKILL: the kernel detaches the tracees).
     */
    public static void unignoreInterrupts() {
        // struct sigaction is 152 bytes on 64-bit; all zeros is SIG_DFL with an empty mask and no flags.
        try (com.sun.jna.Memory old = new com.sun.jna.Memory(256); com.sun.jna.Memory dfl = new com.sun.jna.Memory(256)) {
            dfl.clear();
            for (int sig : new int[] {Ptrace.SIGINT, Ptrace.SIGTERM}) {
                // Query first: a handler that is there (the JVM's, with SA_SIGINFO) is never touched.
                Ptrace.sigaction(sig, 0, com.sun.jna.Pointer.nativeValue(old));
                if (old.getLong(0) == SIG_IGN) Ptrace.sigaction(sig, com.sun.jna.Pointer.nativeValue(dfl), 0);
            }
        } catch (com.sun.jna.LastErrorException e) {
            // left as it is: the shutdown hook still detaches on SIGTERM
        }
    }

    private static final long SIG_IGN = 1;

    /** The number for "SIGTERM" or "TERM", or -1. */
    public static int number(String name) {
        String n = name.startsWith("SIG") ? name : "SIG" + name;
        for (int i = 1; i < NAMES.length; i++) if (n.equals(NAMES[i])) return i;
        return -1;
    }
}
