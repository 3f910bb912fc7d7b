package io.taskscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.taskscope.linux.Arch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The I/O vector, message, epoll, rusage and prctl decoders, each checked against the line strace 6.1 printed on this
 * machine for bench/parity-io.py (a real Python program; the harness compares it whole), and against hostile
 * lengths a tracee can put in its memory.
 */
class IoNetDecodeTest {
    static final SyscallTable X = SyscallTable.of(Arch.X86_64);
    final SyscallDecoderTest.FakeMemory mem = new SyscallDecoderTest.FakeMemory();
    final SyscallDecoder decoder = new SyscallDecoder(X, 32, false);

    String line(String name, boolean failed, long rval, long... args) {
        long nr = X.byName(name).orElseThrow().number();
        SyscallDecoder.Decoded d = decoder.decode(1, nr, Arrays.copyOf(args, 6), rval, failed, true, mem);
        return StraceParityDecodeTest.format(name, d.args(), failed ? -1 : rval, failed ? "EAGAIN" : null);
    }

    static ByteBuffer le(int size) {
        return StraceParityDecodeTest.le(size);
    }

    long bytes(long addr, String s) {
        return mem.put(addr, s.getBytes(StandardCharsets.ISO_8859_1));
    }

    long iov(long addr, long... baseLen) {
        ByteBuffer b = le(8 * baseLen.length);
        for (int i = 0; i < baseLen.length; i++) b.putLong(8 * i, baseLen[i]);
        return mem.put(addr, b.array());
    }

    @Test
    void vectors() {
        long v = iov(0x1000, bytes(0x2000, "hello "), 6, bytes(0x2100, "iovec "), 6, bytes(0x2200, "world\n"), 6);
        assertEquals("writev(4, [{iov_base=\"hello \", iov_len=6}, {iov_base=\"iovec \", iov_len=6}, {iov_base=\"world\\n\", "
                + "iov_len=6}], 3) = 18", line("writev", false, 18, 4, v, 3));
        // readv: the data as far as the call filled it
        long r = iov(0x3000, bytes(0x4000, "hell"), 4, bytes(0x4100, "o iovec world\n" + "\0".repeat(50)), 64);
        assertEquals("readv(3, [{iov_base=\"hell\", iov_len=4}, {iov_base=\"o iovec world\\n\", iov_len=64}], 2) = 18",
                line("readv", false, 18, 3, r, 2));
        long x = iov(0x5000, bytes(0x6000, "x".repeat(40)), 40, 0x6100, 0);
        assertEquals("writev(4, [{iov_base=\"" + "x".repeat(32) + "\"..., iov_len=40}, {iov_base=\"\", iov_len=0}], 2) = 40",
                line("writev", false, 40, 4, x, 2));
        // a failed readv: addresses; a count the tracee made up: as far as its memory goes
        assertEquals("readv(3, [{iov_base=0x4000, iov_len=4}, {iov_base=0x4100, iov_len=64}], 2) = -1 EAGAIN "
                + "(Resource temporarily unavailable)", line("readv", true, -11, 3, r, 2));
        assertEquals("writev(4, [{iov_base=\"hello \", iov_len=6}, {iov_base=\"iovec \", iov_len=6}, {iov_base=\"world\\n\", "
                + "iov_len=6}, ... /* 0x1030 */], 1000) = 18", line("writev", false, 18, 4, v, 1000));
        assertEquals("writev(4, 0x1000, 1152921504606846975) = 18", line("writev", false, 18, 4, v, (1L << 60) - 1));
        assertEquals("writev(4, 0x1000, 18446744073709551615) = 18", line("writev", false, 18, 4, v, -1));
    }

    @Test
    void messages() {
        long fds = mem.put(0x7000, le(24).putLong(0, 24).putInt(8, 1).putInt(12, 1).putInt(16, 3).putInt(20, 4).array());
        long v = iov(0x1000, bytes(0x2000, "fd"), 2, bytes(0x2100, "s"), 1);
        long msg = mem.put(0x3000, le(56).putLong(16, v).putLong(24, 2).putLong(32, fds).putLong(40, 24).array());
        assertEquals("sendmsg(6, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"fd\", iov_len=2}, {iov_base=\"s\", "
                + "iov_len=1}], msg_iovlen=2, msg_control=[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
                + "cmsg_data=[3, 4]}], msg_controllen=24, msg_flags=0}, 0) = 3", line("sendmsg", false, 3, 6, msg));
        long name = mem.put(0x4000, "\1\0\0taskscope-parity-io".getBytes(StandardCharsets.ISO_8859_1));
        long dv = iov(0x4100, bytes(0x4200, "dgram"), 5);
        long dmsg = mem.put(0x4300, le(56).putLong(0, name).putInt(8, 22).putLong(16, dv).putLong(24, 1).array());
        assertEquals("sendmsg(11, {msg_name={sa_family=AF_UNIX, sun_path=@\"taskscope-parity-io\"}, msg_namelen=22, "
                + "msg_iov=[{iov_base=\"dgram\", iov_len=5}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 5",
                line("sendmsg", false, 5, 11, dmsg));

        // recvmsg: msg_namelen as the call got it (110) and as it left it (0), credentials, the data up to the return value
        long nr = X.byName("recvmsg").orElseThrow().number();
        long cv = iov(0x5000, bytes(0x5100, "cr" + "\0".repeat(14)), 2);
        long cred = mem.put(0x5200, new byte[32]);
        long rmsg = mem.put(0x6000, le(56).putLong(0, 0x7ffe8c4c0bb0L).putInt(8, 110).putLong(16, cv).putLong(24, 1)
                .putLong(32, cred).putLong(40, 32).array());
        long[] a = Arrays.copyOf(new long[] {5, rmsg, 0x40}, 6);
        SyscallDecoder.Decoded entry = decoder.decode(1, nr, a, 0, false, false, mem);
        mem.put(0x5200, le(32).putLong(0, 28).putInt(8, 1).putInt(12, 2).putInt(16, 2509).array());
        mem.put(0x6000, le(56).putLong(0, 0x7ffe8c4c0bb0L).putInt(8, 0).putLong(16, cv).putLong(24, 1)
                .putLong(32, cred).putLong(40, 32).array());
        assertEquals("recvmsg(5, {msg_name=0x7ffe8c4c0bb0, msg_namelen=110 => 0, msg_iov=[{iov_base=\"cr\", iov_len=2}], "
                + "msg_iovlen=1, msg_control=[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, "
                + "cmsg_data={pid=2509, uid=0, gid=0}}], msg_controllen=32, msg_flags=0}, MSG_DONTWAIT) = 2",
                StraceParityDecodeTest.format("recvmsg", decoder.complete(entry, nr, a, 2, false, true, mem).args(), 2, null));
        // failed: what the call was given
        assertEquals("recvmsg(5, {msg_namelen=0}, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)",
                StraceParityDecodeTest.format("recvmsg", decoder.complete(decoder.decode(1, nr, a, 0, false, false, mem), nr,
                        a, -11, true, true, mem).args(), -1, "EAGAIN"));
        // a control length past what is readable, a cmsg_len of 0, a huge one: bounded, never a loop
        mem.put(0x5200, le(32).putLong(0, 0).putInt(8, 1).putInt(12, 1).array());
        assertEquals("sendmsg(5, {msg_name=0x7ffe8c4c0bb0, msg_namelen=0, msg_iov=[{iov_base=\"cr\", iov_len=2}], msg_iovlen=1, "
                + "msg_control=[{cmsg_len=0, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS}, ... /* 0x5200 */], "
                + "msg_controllen=32, msg_flags=0}, 0) = 2", line("sendmsg", false, 2, 5, rmsg));
        mem.put(0x5200, le(32).putLong(0, -1L).putInt(8, 1).putInt(12, 1).putInt(16, 7).array());
        assertEquals("sendmsg(5, {msg_name=0x7ffe8c4c0bb0, msg_namelen=0, msg_iov=[{iov_base=\"cr\", iov_len=2}], msg_iovlen=1, "
                + "msg_control=[{cmsg_len=18446744073709551615, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
                + "cmsg_data=[7, 0, 0, 0]}], msg_controllen=32, msg_flags=0}, 0) = 2", line("sendmsg", false, 2, 5, rmsg));
        mem.put(0x6000, le(56).putLong(16, cv).putLong(24, 1).putLong(32, cred).putLong(40, -1L).array());
        assertEquals("sendmsg(5, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"cr\", iov_len=2}], msg_iovlen=1, "
                + "msg_control=0x5200, msg_controllen=18446744073709551615, msg_flags=0}, 0) = 2", line("sendmsg", false, 2, 5, rmsg));
    }

    @Test
    void epollWaitAndProcessControl() {
        long ev = mem.put(0x1000, le(12).putInt(0, 0x80000001).putLong(4, 140475495350277L).array());
        assertEquals("epoll_ctl(12, EPOLL_CTL_ADD, 5, {events=EPOLLIN|EPOLLET, data={u32=5, u64=140475495350277}}) = 0",
                line("epoll_ctl", false, 0, 12, 1, 5, ev));
        assertEquals("epoll_ctl(12, EPOLL_CTL_DEL, 4, 0x1000) = 0", line("epoll_ctl", false, 0, 12, 2, 4, ev));
        long evs = mem.put(0x2000, le(24).putInt(0, 4).putLong(4, 4).putInt(12, 1).putLong(16, 5).array());
        assertEquals("epoll_wait(12, [{events=EPOLLOUT, data={u32=4, u64=4}}, {events=EPOLLIN, data={u32=5, u64=5}}], 1023, 1000) = 2",
                line("epoll_wait", false, 2, 12, evs, 1023, 1000));
        assertEquals("epoll_wait(12, [], 1023, 0) = 0", line("epoll_wait", false, 0, 12, evs, 1023, 0));
        assertEquals("epoll_wait(12, 0x2000, 1023, 0) = -1 EAGAIN (Resource temporarily unavailable)",
                line("epoll_wait", true, -11, 12, evs, 1023, 0));

        long status = mem.put(0x3000, le(4).putInt(0, 3 << 8).array());
        long ru = mem.put(0x3100, le(144).putLong(8, 807).array());
        assertEquals("wait4(2510, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, {ru_utime={tv_sec=0, tv_usec=807}, "
                + "ru_stime={tv_sec=0, tv_usec=0}, ...}) = 2510", line("wait4", false, 2510, 2510, status, 0, ru));
        assertEquals("wait4(-1, 0x3000, WNOHANG, 0x3100) = 0", line("wait4", false, 0, -1, status, 1, ru));

        long name = mem.str(0x4000, "zend_alloc");
        assertEquals("prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f3269200000, 2097152, \"zend_alloc\") = -1 EAGAIN "
                + "(Resource temporarily unavailable)", line("prctl", true, -11, 0x53564d41, 0, 0x7f3269200000L, 2097152, name));
        long comm = mem.str(0x5000, "parity-io");
        assertEquals("prctl(PR_SET_NAME, \"parity-io\") = 0", line("prctl", false, 0, 15, comm));
        assertEquals("prctl(PR_GET_NAME, \"parity-io\") = 0", line("prctl", false, 0, 16, comm));
        assertEquals("prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0", line("prctl", false, 0, 38, 1));
        long fs = mem.put(0x6000, le(8).putLong(0, 0x7fc397d8a040L).array());
        assertEquals("arch_prctl(ARCH_GET_FS, [0x7fc397d8a040]) = 0", line("arch_prctl", false, 0, 0x1003, fs));
        assertEquals("ioctl(3, FIOCLEX) = 0", line("ioctl", false, 0, 3, 0x5451, 0));
    }
}
