package io.taskscope.decode;

/**
 * The decoder families: one per way strace prints an argument. A row of {@code signatures.tsv} names one per printed
 * argument; {@link SyscallDecoder} dispatches on them to the family classes ({@link Strings}, {@link FileStructs},
 * {@link NetStructs}, {@link IoStructs}, {@link Structs}, {@link ProcessStructs}).
 */
enum ArgKind {
    FD, DIRFD, PATH, STR, OUTPATH, OFLAGS, OMODE, MODE, ATFLAGS, STATXFLAGS, STATXMASK, ACCMODE, FACCESSFLAGS,
    UNLINKFLAGS, RENAMEFLAGS, FDFLAGS, STAT, STATX, STATFS, INT, UINT, LONG, SIZE, HEX, PTR, RBUF, WBUF, ARGV,
    ENVP, WHENCE, FCNTLCMD, FCNTLARG, PIPEFD, DENTS, FAMILY, SOCKTYPE, SOCKFLAGS, MSGFLAGS, SHUT, SOCKADDR,
    SOCKADDROUT, MMAPPROT, MMAPFLAGS, SIGNAL, CLOCKID, TIMERFLAGS, TIMESPEC,
    /** flags:TABLE in signatures.tsv: a flag set from any xlat.tsv table ("0" when none is set). */
    FLAGS,
    /** const:TABLE: one named value from any xlat.tsv table (the number when unknown). */
    CONST,
    /** A pointer to an int, printed as strace does: [16]; NULL as NULL. */
    INTPTR,
    /** setsockopt/getsockopt option name, whose table depends on the level before it (SOL_SOCKET, IPPROTO_TCP). */
    SOCKOPT,
    /** socket's protocol: IPPROTO_* names for the inet families, the number for the others. */
    SOCKPROTO,
    /** setsockopt's value: [N] when its length (the next argument) is an int's, else the address. */
    OPTVAL,
    /** ioctl's argument: [N] for the requests whose argument is an int* (FIONBIO, FIONREAD, ...), else hex. */
    IOCTLARG,
    /** A signal set read by the call (rt_sigprocmask's set; its length is the 4th argument). */
    SIGSET,
    /** A signal set the call writes (rt_sigprocmask's oldset). */
    OSIGSET,
    /** struct sigaction read by the call (rt_sigaction's act). */
    SIGACTION,
    /** struct sigaction the call writes (rt_sigaction's oldact). */
    OSIGACTION,
    /** rt_sigreturn's {mask=[...]} from the signal frame on the stack. */
    SIGRETURN,
    /** struct rlimit read by the call ({rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}). */
    RLIMIT,
    /** struct rlimit the call writes. */
    ORLIMIT,
    /** A buffer the call fills, printed in hex escapes (getrandom). */
    HEXBUF,
    /** wait4's status: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]. */
    WAITSTATUS,
    /** A siginfo_t the call writes (waitid's): {si_signo=SIGCHLD, si_code=CLD_EXITED, ...}; {} when it holds none. */
    SIGINFO,
    /** clone's five arguments, named as strace names them. */
    CLONE,
    /** clone3's struct clone_args. */
    CLONE3,
    /** futex's arguments, as many as the operation uses. */
    FUTEX,
    /** poll's pollfd array (its length is the next argument). */
    POLLFDS,
    /** struct sysinfo. */
    SYSINFO,
    /** struct utsname. */
    UTSNAME,
    /** utimensat's two timespecs, with UTIME_NOW/UTIME_OMIT and dates. */
    UTIMENS,
    /** stack_t read by the call (sigaltstack's ss). */
    STACK,
    /** stack_t the call writes (sigaltstack's old_ss). */
    OSTACK,
    /** sched_getaffinity's CPU mask: [0 1]. */
    CPUSET,
    /** A socklen_t the call reads and writes: [128 => 16]. */
    SOCKLEN,
    /** nanosleep's rem: printed only when a signal interrupted the call (the kernel wrote it then). */
    REMTIMESPEC,
    /** struct sigevent read by timer_create. */
    SIGEVENT,
    /** struct itimerspec read by the call (timer_settime's new value). */
    ITIMERSPEC,
    /** struct itimerspec the call writes. */
    OITIMERSPEC,
    /** getgroups' list: as many gids as the call returned (and the first argument allows). */
    GIDS,
    /** An iovec array the call reads (writev's), its count the next argument. */
    IOV,
    /** An iovec array the call fills (readv's): data up to the returned byte count; addresses when it failed. */
    RIOV,
    /** struct msghdr read by the call (sendmsg's). */
    MSGHDR,
    /** struct msghdr the call fills (recvmsg's): msg_namelen before => after; {msg_namelen=N} when it failed. */
    RMSGHDR,
    /** epoll_ctl's struct epoll_event (its address for EPOLL_CTL_DEL). */
    EPOLLEVENT,
    /** epoll_wait's events: as many as the call returned. */
    EPOLLEVENTS,
    /** struct rusage the call writes (wait4's only when it returned a pid). */
    RUSAGE,
    /** arch_prctl's address argument: [0x7f...] for ARCH_GET_FS/GS, none for ARCH_GET_CPUID. */
    ARCHPRCTLARG,
    /** prctl's arguments, as many and as strace prints them for the option. */
    PRCTL
}
