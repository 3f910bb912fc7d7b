package io.taskscope.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InetTextTest {
    /** Expected values are what glibc's inet_ntop printed for each address (python3's socket.inet_ntop). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "1:0:0:2:0:0:0:3, 1:0:0:2::3",         // the longest run, not the first
            "1:0:0:2:0:0:3:4, 1::2:0:0:3:4",       // a tie: the leftmost
            "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7",    // a single zero group is not compressed
            "::ffff:127.0.0.1, ::ffff:127.0.0.1",  // mapped: shown as such, not as 127.0.0.1
            "0:0:0:0:0:ffff:0:1, ::ffff:0.0.0.1",
            "::ffff:0:0, ::ffff:0.0.0.0",
            "::1.2.3.4, ::1.2.3.4",                // IPv4-compatible, as glibc prints it
            "::0.0.0.2, ::2",
            "::1, ::1",
            "::, ::",
            "fe80::1, fe80::1",
            "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:db8::, 2001:db8::",
            "0:0:1:0:0:0:0:0, 0:0:1::",
            "1:0:0:0:2:0:0:0, 1::2:0:0:0",
            "1:2:3:4:5:6:7:0, 1:2:3:4:5:6:7:0",
            "0:1:2:3:4:5:6:7, 0:1:2:3:4:5:6:7",
            "64:ff9b::1.2.3.4, 64:ff9b::102:304",
    })
    void formatsAsInetNtop(String in, String expected) throws Exception {
        byte[] b = InetAddress.getByName(in).getAddress();
        if (b.length == 4) { // Java parses ::ffff:a.b.c.d into an IPv4 address; rebuild the 16 bytes
            byte[] m = new byte[16];
            m[10] = m[11] = (byte) 0xff;
            System.arraycopy(b, 0, m, 12, 4);
            b = m;
        }
        assertEquals(expected, InetText.address(b));
    }
}
