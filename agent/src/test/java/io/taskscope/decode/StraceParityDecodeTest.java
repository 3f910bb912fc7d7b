package io.taskscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.taskscope.event.SignalEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.linux.Arch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The calls the differential run against strace found decoded differently (issue 13), each checked against the
 * line strace 6.1 printed for it on this machine.
 */
class StraceParityDecodeTest {
    static final SyscallTable X = SyscallTable.of(Arch.X86_64);
    final SyscallDecoderTest.FakeMemory mem = new SyscallDecoderTest.FakeMemory();
    final SyscallDecoder decoder = new SyscallDecoder(X, 32, false);

    String line(String name, boolean failed, long rval, long... args) {
        long nr = X.byName(name).orElseThrow().number();
        long[] a = Arrays.copyOf(args, 6);
        SyscallDecoder.Decoded d = decoder.decode(1, nr, a, rval, failed, true, mem);
        return format(name, d.args(), failed ? -1 : rval, failed ? "ENOENT" : null);
    }

    static String format(String name, List<String> args, long ret, String errno) {
        var f = new StraceFormat(StraceFormat.Timestamps.NONE, false, StraceFormat.Framing.NONE, ZoneId.of("UTC"));
        return f.syscall(new SyscallEvent(0, 1, 1, null, "x", 0, name, args, null, null, ret, errno, 1, null, null))
                .replaceAll("\\s+= ", " = ");
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void signalActionsAndMasks() {
        long act = mem.put(0x1000, le(32).putLong(0, 0x5616ee6cadc0L).putLong(8, 0x04000000L).putLong(16, 0x7f1c9c20a050L)
                .putLong(24, ~(3L << 31)).array());
        assertEquals("rt_sigaction(SIGCHLD, {sa_handler=0x5616ee6cadc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, "
                + "sa_restorer=0x7f1c9c20a050}, NULL, 8) = 0", line("rt_sigaction", false, 0, 17, act, 0, 8));
        long old = mem.put(0x2000, new byte[32]);
        assertEquals("rt_sigaction(SIGINT, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
                line("rt_sigaction", false, 0, 2, 0, old, 8));
        long pipe = mem.put(0x3000, le(32).putLong(0, 1).putLong(8, 0x14000000L).putLong(24, 1L << 12).array());
        assertEquals("rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[PIPE], sa_flags=SA_RESTORER|SA_RESTART, "
                + "sa_restorer=NULL}, NULL, 8) = 0", line("rt_sigaction", false, 0, 13, pipe, 0, 8));
        long empty = mem.put(0x4000, new byte[8]);
        long most = mem.put(0x5000, le(8).putLong(0, ~((1L << 8) | (1L << 18) | (3L << 31))).array());
        assertEquals("rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0",
                line("rt_sigprocmask", false, 0, 2, empty, most, 8));
        // a failed call's output is its address, never memory the kernel did not write
        assertEquals("rt_sigprocmask(SIG_BLOCK, [], 0x5000, 8) = -1 ENOENT (No such file or directory)",
                line("rt_sigprocmask", true, -2, 0, empty, most, 8));
    }

    @Test
    void resourcesRandomnessAndProcessCalls() {
        long rl = mem.put(0x1000, le(16).putLong(0, 8192 * 1024).putLong(8, -1).array());
        assertEquals("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
                line("prlimit64", false, 0, 0, 3, 0, rl));
        long rnd = mem.put(0x2000, new byte[] {0x42, (byte) 0xcd, (byte) 0xd0, (byte) 0xce, (byte) 0x9b, 0x5e, (byte) 0x92, 0x48});
        assertEquals("getrandom(\"\\x42\\xcd\\xd0\\xce\\x9b\\x5e\\x92\\x48\", 8, GRND_NONBLOCK) = 8",
                line("getrandom", false, 8, rnd, 8, 1));
        assertEquals("arch_prctl(ARCH_SET_FS, 0x7f1c9c1cb740) = 0", line("arch_prctl", false, 0, 0x1002, 0x7f1c9c1cb740L));
        assertEquals("set_robust_list(0x7f1c9c1cba20, 24) = 0", line("set_robust_list", false, 0, 0x7f1c9c1cba20L, 24));
        assertEquals("fadvise64(3, 0, 0, POSIX_FADV_SEQUENTIAL) = 0", line("fadvise64", false, 0, 3, 0, 0, 2));
        assertEquals("umask(022) = 022", line("umask", false, 022, 022));
        assertEquals("umask(000) = 022", line("umask", false, 022, 0));
        long st = mem.put(0x3000, le(4).putInt(0, 124 << 8).array());
        assertEquals("wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 124}], 0, NULL) = 6496",
                line("wait4", false, 6496, -1, st, 0, 0));
        assertEquals("wait4(-1, 0x3000, WNOHANG, NULL) = 0", line("wait4", false, 0, -1, st, 1, 0));
        long killed = mem.put(0x3100, le(4).putInt(0, 9).array());
        assertEquals("wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 7", line("wait4", false, 7, -1, killed, 0, 0));
        assertEquals("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
                + "child_tidptr=0x7f1c9c1cba10) = 6499", line("clone", false, 6499, 0x01200011L, 0, 0, 0x7f1c9c1cba10L, 0));
        long ptid = mem.put(0x4000, le(4).putInt(0, 6488).array());
        long ca = mem.put(0x5000, le(88).putLong(0, 0x3d0f00L).putLong(16, 0x4000).putLong(24, 0x4000)
                .putLong(40, 0x7fed614ef000L).putLong(48, 0x7fff80).putLong(56, 0x7fed61cef6c0L).array());
        assertEquals("clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|"
                + "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x4000, parent_tid=0x4000, exit_signal=0, "
                + "stack=0x7fed614ef000, stack_size=0x7fff80, tls=0x7fed61cef6c0} => {parent_tid=[6488]}, 88) = 6488",
                line("clone3", false, 6488, ca, 88));
        assertEquals(0x4000, ptid);
        assertEquals("getgroups(0, NULL) = 0", line("getgroups", false, 0, 0, 0));
        assertEquals("getgroups(0, []) = 0", line("getgroups", false, 0, 0, 0x6000));
        long gids = mem.put(0x6100, le(8).putInt(0, 0).putInt(4, 27).array());
        assertEquals("getgroups(2, [0, 27]) = 2", line("getgroups", false, 2, 2, gids));
    }

    @Test
    void futexPrintsTheArgumentsItsOperationUses() {
        assertEquals("futex(0x7fed62183a4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0",
                line("futex", false, 0, 0x7fed62183a4cL, 0x81, 2147483647, 0, 0, 0));
        assertEquals("futex(0x9698720, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, FUTEX_BITSET_MATCH_ANY) = 0",
                line("futex", false, 0, 0x9698720L, 0x189, 0, 0, 0, 0xffffffffL));
    }

    @Test
    void systemStructs() {
        ByteBuffer u = le(390);
        u.put(0, "Linux".getBytes()).put(65, "vm".getBytes());
        long uts = mem.put(0x1000, u.array());
        assertEquals("uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0", line("uname", false, 0, uts));
        long cpus = mem.put(0x2000, new byte[] {3, 0, 0, 0, 0, 0, 0, 0});
        assertEquals("sched_getaffinity(0, 128, [0 1]) = 8", line("sched_getaffinity", false, 8, 0, 128, cpus));
        long ss = mem.put(0x3000, le(24).putLong(0, 0x55d0c0a0e000L).putLong(16, 65536).array());
        assertEquals("sigaltstack({ss_sp=0x55d0c0a0e000, ss_flags=0, ss_size=65536}, NULL) = 0",
                line("sigaltstack", false, 0, ss, 0));
        long fds = mem.put(0x4000, le(16).putInt(0, 5).putShort(4, (short) 4).putInt(8, 3).putShort(12, (short) 1).array());
        assertEquals("poll([{fd=5, events=POLLOUT}, {fd=3, events=POLLIN}], 2, 197) = 0 (Timeout)",
                line("poll", false, 0, fds, 2, 197));
        long ts = mem.put(0x5000, le(32).putLong(8, (1L << 30) - 2).putLong(16, 1382530882L).array());
        assertEquals("utimensat(5, NULL, [UTIME_OMIT, {tv_sec=1382530882, tv_nsec=0} /* 2013-10-23T12:21:22+0000 */], 0) = 0",
                line("utimensat", false, 0, 5, 0, ts, 0).replace(new Structs(Xlat.of(Arch.X86_64), Arch.X86_64,
                        ZoneId.systemDefault()).dateComment(1382530882L, 0), " /* 2013-10-23T12:21:22+0000 */"));
        long sfs = mem.put(0x6000, le(120).putLong(0, 0xef53).putLong(8, 4096).putInt(56, 0x1234567).putInt(60, 0x89abcdef)
                .putLong(64, 255).putLong(72, 4096).putLong(80, 32 | 4096).array());
        assertEquals("fstatfs(4, {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0, f_files=0, "
                + "f_ffree=0, f_fsid={val=[0x1234567, 0x89abcdef]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0",
                line("fstatfs", false, 0, 4, sfs));
    }

    @Test
    void descriptorsSocketsAndIoctls() {
        assertEquals("fcntl(4, F_GETFL) = 0x38800 (flags O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_NOFOLLOW|O_DIRECTORY)",
                line("fcntl", false, 0x38800, 4, 3));
        assertEquals("fcntl(11, F_GETFD) = 0x1 (flags FD_CLOEXEC)", line("fcntl", false, 1, 11, 1));
        assertEquals("fcntl(0, F_GETFD) = 0", line("fcntl", false, 0, 0, 1));
        long fl = mem.put(0x1000, le(32).putShort(0, (short) 1).array());
        assertEquals("fcntl(3, F_SETLKW, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0",
                line("fcntl", false, 0, 3, 7, fl));
        assertEquals("ioctl(4, BTRFS_IOC_CLONE or FICLONE, 3) = -1 ENOENT (No such file or directory)",
                line("ioctl", true, -95, 4, 0x40049409L, 3));
        long pgrp = mem.put(0x2000, le(4).putInt(0, 77).array());
        assertEquals("ioctl(0, TIOCGPGRP, 0x2000) = -1 ENOENT (No such file or directory)",
                line("ioctl", true, -25, 0, 0x540f, pgrp));
        assertEquals("ioctl(0, TIOCGPGRP, [77]) = 0", line("ioctl", false, 0, 0, 0x540f, pgrp));
        // getsockname: the length as the call got it and as it returned it
        long nr = X.byName("getsockname").orElseThrow().number();
        long sin = mem.put(0x3000, new byte[] {2, 0, (byte) 0x9c, 0x33, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
        long len = mem.put(0x4000, le(4).putInt(0, 128).array());
        long[] a = Arrays.copyOf(new long[] {5, sin, len}, 6);
        SyscallDecoder.Decoded entry = decoder.decode(1, nr, a, 0, false, false, mem);
        mem.put(0x4000, le(4).putInt(0, 16).array());
        SyscallDecoder.Decoded exit = decoder.complete(entry, nr, a, 0, false, true, mem);
        assertEquals("getsockname(5, {sa_family=AF_INET, sin_port=htons(39987), sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 0",
                format("getsockname", exit.args(), 0, null));
    }

    @Test
    void framingAndTimerSignals() {
        var column = new StraceFormat(StraceFormat.Timestamps.NONE, false, StraceFormat.framingFor(true, true, 1), ZoneId.of("UTC"));
        var ev = new SyscallEvent(0, 6487, 6487, null, "x", 0, "getpid", List.of(), null, null, 6487, null, 1, null, null);
        assertEquals(40, column.syscall(ev).indexOf("= 6487")); // strace's column 40 counts the prefix
        assertEquals("6487  getpid()", column.syscall(ev).substring(0, 14));
        var none = new StraceFormat(StraceFormat.Timestamps.NONE, false, StraceFormat.framingFor(true, false, 1), ZoneId.of("UTC"));
        assertEquals("getpid() = 6487", none.syscall(ev).replaceAll("\\s+= ", " = "));
        var stream = new StraceFormat(StraceFormat.Timestamps.NONE, false, StraceFormat.framingFor(false, true, 1), ZoneId.of("UTC"));
        stream.pidPrefix(true);
        assertEquals("[pid  6487] getpid() = 6487", stream.syscall(ev).replaceAll("\\s+= ", " = "));
        var timer = new SignalEvent(0, SignalEvent.Kind.DELIVERED, 5, 5, null, "sleep", "SIGALRM", -2, 0, 0, null, null, null, 0L);
        assertEquals("--- SIGALRM {si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, si_overrun=0, si_int=0, si_ptr=NULL} ---",
                none.signal(timer));
        // strace's print_clock_t: ticks, and the seconds at USER_HZ when there are any
        var child = new SignalEvent(0, SignalEvent.Kind.DELIVERED, 5, 5, null, "sh", "SIGCHLD", 1, 6, 0, 0, 0L, 1L, null);
        assertEquals("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6, si_uid=0, si_status=0, si_utime=0, "
                + "si_stime=1 /* 0.01 s */} ---", none.signal(child));
        assertEquals("123 /* 1.23 s */", StraceFormat.clockTicks(123L));
        var exit = new io.taskscope.event.ProcessEvent(0, io.taskscope.event.ProcessEvent.Kind.EXIT, 5, 1, null, "x", null,
                List.of(), 0, 0, null);
        assertEquals(true, none.line(exit).isPresent());
        assertEquals(false, none.quietExit(true).line(exit).isPresent()); // -qq
    }
    /** rt_sigreturn's mask, where strace's arch_sigreturn reads it in the signal frame (x86_64 and aarch64). */
    @Test
    void sigreturnMaskOnBothArchitectures() {
        for (Arch arch : List.of(Arch.X86_64, Arch.AARCH64)) {
            SyscallTable table = SyscallTable.of(arch);
            long sp = 0x10000;
            SyscallDecoderTest.FakeMemory frame = new SyscallDecoderTest.FakeMemory() {
                @Override
                public long stackPointer() {
                    return sp;
                }
            };
            frame.put(sp + (arch == Arch.X86_64 ? 296 : 168), le(8).putLong(0, 1L << 13).array());
            long nr = table.byName("rt_sigreturn").orElseThrow().number();
            SyscallDecoder.Decoded d = new SyscallDecoder(table, 32, false).decode(1, nr, new long[6], 0, false, false, frame);
            assertEquals(List.of("{mask=[ALRM]}"), d.args(), arch.toString());
        }
    }
}
