package io.taskscope.proc;

/**
 * The fields of {@code /proc/<pid>/stat}, numbered as in proc(5). Only numeric fields after
 * {@code state} are here: {@code pid}, {@code comm} and {@code state} are parsed apart because
 * comm is free text (it may hold spaces and parentheses).
 */
public enum StatField {
    /** The parent's PID. */
    PPID(4),
    /** The process group ID. */
    PGRP(5),
    /** The session ID. */
    SESSION(6),
    /** The controlling terminal (device number: major in bits 15..8, minor in 31..20 and 7..0). */
    TTY_NR(7),
    /** The foreground process group of the controlling terminal. */
    TPGID(8),
    /** The kernel flags word (PF_*); PF_KTHREAD marks kernel threads. */
    FLAGS(9),
    /** Minor faults. */
    MINFLT(10),
    /** Minor faults of waited-for children. */
    CMINFLT(11),
    /** Major faults. */
    MAJFLT(12),
    /** Major faults of waited-for children. */
    CMAJFLT(13),
    /** Time scheduled in user mode, in clock ticks. */
    UTIME(14),
    /** Time scheduled in kernel mode, in clock ticks. */
    STIME(15),
    /** Waited-for children's user time, in clock ticks. */
    CUTIME(16),
    /** Waited-for children's kernel time, in clock ticks. */
    CSTIME(17),
    /** The kernel's priority value. */
    PRIORITY(18),
    /** The nice value, -20 (high priority) to 19. */
    NICE(19),
    /** Threads in this process. */
    NUM_THREADS(20),
    /** Obsolete, always 0. */
    ITREALVALUE(21),
    /** Start time after boot, in clock ticks. */
    STARTTIME(22),
    /** Virtual memory size in bytes. */
    VSIZE(23),
    /** Resident set size in pages. */
    RSS(24),
    /** Soft limit on the RSS in bytes. */
    RSSLIM(25),
    STARTCODE(26),
    ENDCODE(27),
    STARTSTACK(28),
    KSTKESP(29),
    KSTKEIP(30),
    SIGNAL(31),
    BLOCKED(32),
    SIGIGNORE(33),
    SIGCATCH(34),
    WCHAN(35),
    NSWAP(36),
    CNSWAP(37),
    /** Signal sent to the parent at death. */
    EXIT_SIGNAL(38),
    /** CPU last run on. */
    PROCESSOR(39),
    RT_PRIORITY(40),
    POLICY(41),
    DELAYACCT_BLKIO_TICKS(42),
    GUEST_TIME(43),
    CGUEST_TIME(44),
    START_DATA(45),
    END_DATA(46),
    START_BRK(47),
    ARG_START(48),
    ARG_END(49),
    ENV_START(50),
    ENV_END(51),
    EXIT_CODE(52);

    /** PF_KTHREAD in {@link #FLAGS}: the task is a kernel thread. */
    public static final long PF_KTHREAD = 0x00200000L;

    private final int number;

    StatField(int number) {
        this.number = number;
    }

    /** The field's number in proc(5), 1-based ({@code pid} is 1). */
    public int number() {
        return number;
    }

    /** Index into {@link ProcStat}'s value array (fields after state). */
    int index() {
        return number - 4;
    }
}
