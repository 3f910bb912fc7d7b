package io.taskscope.text;

/**
 * The one formatter of IP addresses, as glibc's inet_ntop(3) prints them (what strace, ss and
 * netstat show): RFC 5952 for IPv6 (lower-case hex without leading zeros, the longest run of two or
 * more zero groups as "::", the leftmost on a tie, a lone zero group kept) and the embedded IPv4 forms
 * {@code ::ffff:127.0.0.1} (mapped) and {@code ::1.2.3.4} (compatible). Java's
 * {@code InetAddress.getByAddress} turns a mapped address into a plain IPv4 one, which hides that a
 * socket is IPv6; nothing here goes through it.
 */
public final class InetText {
    private InetText() {}

    /** Dotted quad of {@code a[off..off+4)}. */
    public static String ipv4(byte[] a, int off) {
        return (a[off] & 0xff) + "." + (a[off + 1] & 0xff) + "." + (a[off + 2] & 0xff) + "." + (a[off + 3] & 0xff);
    }

    /** A 4-byte address as dotted quad, a 16-byte one as inet_ntop(AF_INET6) prints it. */
    public static String address(byte[] a) {
        if (a.length == 4) return ipv4(a, 0);
        if (a.length == 16) return ipv6(a, 0);
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + a.length);
    }

    /** The 16 bytes at {@code a[off..off+16)} as inet_ntop(AF_INET6) prints them. */
    public static String ipv6(byte[] a, int off) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((a[off + 2 * i] & 0xff) << 8) | (a[off + 2 * i + 1] & 0xff);
        int bestBase = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) j++;
            if (j - i > bestLen) { // strictly longer: the leftmost run wins a tie
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) bestBase = -1; // RFC 5952 4.2.2: a single zero group is not shortened
        StringBuilder s = new StringBuilder(41);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) s.append(':');
                continue;
            }
            if (i != 0) s.append(':');
            if (i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff)) {
                s.append(ipv4(a, off + 12)); // ::ffff:a.b.c.d and the deprecated ::a.b.c.d, as glibc prints them
                return s.toString();
            }
            s.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) s.append(':');
        return s.toString();
    }
}
