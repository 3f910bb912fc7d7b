package io.taskscope.event;

/**
 * A signal reached a traced thread (strace's "--- SIGUSR1 {...} ---"), or stopped it ("--- stopped by
 * SIGSTOP ---"). The siginfo fields are as the kernel gave them (PTRACE_GETSIGINFO); which of them mean
 * anything depends on the signal and its code, as in siginfo_t.
 *
 * @param kind      DELIVERED: the signal goes on to the thread; STOPPED: a group-stop (SIGSTOP, SIGTSTP...)
 * @param signal    "SIGUSR1"
 * @param code      si_code (SI_USER 0, SI_KERNEL 0x80, SI_TKILL -6, CLD_EXITED 1 for SIGCHLD, ...)
 * @param senderPid si_pid for signals sent by a process and for SIGCHLD, else null
 * @param senderUid si_uid, with senderPid
 * @param status    si_status for SIGCHLD, else null
 * @param utime     si_utime for SIGCHLD (clock ticks), else null
 * @param stime     si_stime for SIGCHLD (clock ticks), else null
 * @param address   si_addr for SIGSEGV, SIGBUS, SIGILL, SIGFPE; si_value for SI_QUEUE and SI_TIMER (strace's
 *                  si_int/si_ptr); else null. For SI_TIMER, senderPid and senderUid hold si_timerid and si_overrun
 */
public record SignalEvent(long timeNanos, Kind kind, int pid, int tid, String container, String comm, String signal,
                          int code, Integer senderPid, Integer senderUid, Integer status, Long utime, Long stime,
                          Long address) implements Event {
    public enum Kind { DELIVERED, STOPPED }

    @Override
    public String type() {
        return "signal";
    }
}
