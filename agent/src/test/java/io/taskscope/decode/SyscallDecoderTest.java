package io.taskscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.linux.Arch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Decoding against a fake tracee memory: the exact strings strace prints. */
class SyscallDecoderTest {
    /** Tracee memory as a few byte arrays at fixed addresses. */
    static class FakeMemory implements TraceeMemory {
        final TreeMap<Long, byte[]> regions = new TreeMap<>();

        long put(long addr, byte[] b) {
            regions.put(addr, b);
            return addr;
        }

        long str(long addr, String s) {
            byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
            return put(addr, b);
        }

        @Override
        public int read(long addr, byte[] dst, int off, int len) {
            var e = regions.floorEntry(addr);
            if (e == null || addr >= e.getKey() + e.getValue().length) return -1;
            int from = (int) (addr - e.getKey());
            int n = Math.min(len, e.getValue().length - from);
            System.arraycopy(e.getValue(), from, dst, off, n);
            return n;
        }

        @Override
        public Optional<String> fdPath(int pid, int fd) {
            return fd == 3 ? Optional.of("/etc/hostname") : fd == -100 ? Optional.of("/var/www") : Optional.empty();
        }
    }

    static final SyscallTable X = SyscallTable.of(Arch.X86_64);
    final FakeMemory mem = new FakeMemory();

    List<String> decode(String name, boolean failed, long rval, long... args) {
        return decoder(32, false).decode(1, X.byName(name).orElseThrow().number(), java.util.Arrays.copyOf(args, 6), rval,
                failed, true, mem).args();
    }

    SyscallDecoder decoder(int s, boolean y) {
        return new SyscallDecoder(X, s, y);
    }

    @Test
    void newfstatatOnAMissingFileAsInTheDemo() {
        long path = mem.str(0x1000, "/var/www/html/hoge.php");
        assertEquals(List.of("AT_FDCWD", "\"/var/www/html/hoge.php\"", "0x7ffe0000", "AT_SYMLINK_NOFOLLOW"),
                decode("newfstatat", true, -2, -100, path, 0x7ffe0000L, 0x100));
    }

    @Test
    void statBufferOnSuccess() {
        long path = mem.str(0x1000, "/etc/hostname");
        ByteBuffer st = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        st.putInt(24, 0100644).putLong(48, 123);
        long buf = mem.put(0x2000, st.array());
        assertEquals("{st_mode=S_IFREG|0644, st_size=123, ...}", decode("newfstatat", false, 0, -100, path, buf, 0).get(2));
        ByteBuffer dev = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        dev.putInt(24, 0020666).putLong(40, (1 << 8) | 3);
        long devBuf = mem.put(0x3000, dev.array());
        assertEquals("{st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}", decode("stat", false, 0, path, devBuf).get(1));
    }

    @Test
    void openFlagsAndModes() {
        long p = mem.str(0x1000, "/tmp/x");
        assertEquals(List.of("AT_FDCWD", "\"/tmp/x\"", "O_RDONLY|O_CLOEXEC"), decode("openat", false, 3, -100, p, 02000000, 0));
        assertEquals(List.of("AT_FDCWD", "\"/tmp/x\"", "O_WRONLY|O_CREAT|O_TRUNC", "0644"),
                decode("openat", false, 3, -100, p, 01101, 0644));
        assertEquals("O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY", decode("openat", false, 3, -100, p, 02204000, 0).get(2));
        assertEquals("O_RDWR|O_TMPFILE", decode("openat", false, 3, -100, p, 020200002, 0600).get(2));
        assertEquals(List.of("\"/tmp/x\"", "000"), decode("mkdir", false, 0, p, 0));
        assertEquals(List.of("\"/tmp/x\"", "F_OK"), decode("access", false, 0, p, 0));
        assertEquals(List.of("\"/tmp/x\"", "R_OK|X_OK"), decode("access", false, 0, p, 5));
        assertEquals("AT_REMOVEDIR", decode("unlinkat", false, 0, -100, p, 0x200).get(2));
        assertEquals("AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW", decode("statx", true, -2, -100, p, 0x100, 0x7ff, 0).get(2));
        assertEquals("STATX_BASIC_STATS", decode("statx", true, -2, -100, p, 0x100, 0x7ff, 0).get(3));
    }

    @Test
    void stringsAreEscapedAndCutLikeStrace() {
        assertEquals("\"a\\nb\\t\\\"c\\\\\"", Strings.quote("a\nb\t\"c\\".getBytes(StandardCharsets.UTF_8), false));
        assertEquals("\"\\0\\1x\\0001\"", Strings.quote(new byte[] {0, 1, 'x', 0, '1'}, false));
        assertEquals("\"\\303\\251\"...", Strings.quote("é".getBytes(StandardCharsets.UTF_8), true));
        long buf = mem.put(0x4000, "hello, world, this is longer than eight".getBytes(StandardCharsets.UTF_8));
        var d = decoder(8, false).decode(1, 1, new long[] {1, buf, 39, 0, 0, 0}, 39, false, true, mem);
        assertEquals(List.of("1", "\"hello, w\"...", "39"), d.args());
    }

    @Test
    void dashYAddsPathsToDescriptors() {
        long p = mem.str(0x1000, "x");
        var d = decoder(32, true).decode(1, X.byName("openat").orElseThrow().number(), new long[] {3, p, 0, 0, 0, 0}, 4,
                false, true, mem);
        assertEquals("3</etc/hostname>", d.args().get(0));
        d = decoder(32, true).decode(1, X.byName("openat").orElseThrow().number(), new long[] {-100, p, 0, 0, 0, 0}, 4,
                false, true, mem);
        assertEquals("AT_FDCWD</var/www>", d.args().get(0));
    }

    @Test
    void socketsAndAddresses() {
        byte[] sin = {2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        long a = mem.put(0x5000, sin);
        assertEquals(List.of("3", "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}", "16"),
                decode("connect", false, 0, 3, a, 16));
        byte[] sun = "\1\0/run/php/php-fpm.sock\0".getBytes(StandardCharsets.ISO_8859_1);
        long u = mem.put(0x6000, sun);
        assertEquals("{sa_family=AF_UNIX, sun_path=\"/run/php/php-fpm.sock\"}", decode("connect", false, 0, 3, u, sun.length).get(1));
        // AF_INET6 as strace prints it (inet_ntop): the longest zero run compressed, mapped addresses kept mapped
        byte[] sin6 = new byte[28];
        sin6[0] = 10;
        sin6[2] = 1; // port 443 = 0x01bb
        sin6[3] = (byte) 0xbb;
        sin6[9] = 1; // 1:0:0:2:0:0:0:3
        sin6[15] = 2;
        sin6[23] = 3;
        long v6 = mem.put(0x7000, sin6);
        assertEquals("{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"1:0:0:2::3\", "
                + "&sin6_addr), sin6_scope_id=0}", decode("connect", false, 0, 3, v6, 28).get(1));
        byte[] mapped = new byte[28];
        mapped[0] = 10;
        mapped[18] = mapped[19] = (byte) 0xff;
        mapped[20] = 127;
        mapped[23] = 1;
        long m6 = mem.put(0x8000, mapped);
        assertTrue(decode("connect", false, 0, 3, m6, 28).get(1).contains("\"::ffff:127.0.0.1\""));
        // strace: socket(AF_INET, ..., IPPROTO_IP), flags in its table order; for AF_UNIX the protocol stays a number
        assertEquals(List.of("AF_INET", "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK", "IPPROTO_IP"),
                decode("socket", false, 3, 2, 1 | 04000 | 02000000, 0));
        assertEquals(List.of("AF_UNIX", "SOCK_STREAM", "0"), decode("socket", false, 3, 1, 1, 0));
    }

    @Test
    void undecodedCallsPrintRawArguments() {
        assertEquals(List.of("0x1", "0"), decode("sched_setparam", false, 0, 1, 0));
    }
}
