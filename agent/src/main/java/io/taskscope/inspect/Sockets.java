package io.taskscope.inspect;

import java.util.HashMap;
import java.util.Map;

/**
 * The socket tables of a process's network namespace ({@code /proc/PID/net/tcp, tcp6, udp,
 * udp6, unix}), keyed by socket inode: an fd's {@code socket:[INODE]} link says which row is its.
 */
public final class Sockets {
    /**
     * One socket.
     *
     * @param proto  tcp, tcp6, udp, udp6 or unix
     * @param local  "127.0.0.1:8080", "[::1]:443", or the unix path ("" when unnamed, "@name" for abstract)
     * @param remote the peer for connected inet sockets, else ""
     * @param state  LISTEN, ESTABLISHED... for tcp; UNCONN/ESTAB for udp; LISTEN, CONNECTED, UNCONNECTED for unix
     */
    public record Socket(String proto, String local, String remote, String state, long inode) {
        public boolean listening() {
            return state.equals("LISTEN") || (proto.startsWith("udp") && state.equals("UNCONN"));
        }

        public String describe() {
            return proto + " " + (local.isEmpty() ? "(unnamed)" : local) + (remote.isEmpty() ? "" : " -> " + remote) + " " + state;
        }
    }

    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};
    private static final int SO_ACCEPTCON = 0x10000;

    private Sockets() {}

    /** Parses {@code /proc/net/tcp}-shaped text (tcp, tcp6, udp, udp6) into {@code out}. */
    static void parseInet(String proto, String text, Map<Long, Socket> out) {
        boolean udp = proto.startsWith("udp");
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[0].endsWith(":")) continue; // header or junk
            try {
                int st = Integer.parseInt(f[3], 16);
                String state = udp ? (st == 1 ? "ESTAB" : "UNCONN") : st < TCP_STATES.length ? TCP_STATES[st] : "?";
                String remote = address(f[2]);
                if (remote.endsWith(":0") && (remote.startsWith("0.0.0.0") || remote.startsWith("[::]"))) remote = "";
                long inode = Long.parseLong(f[9]);
                if (inode != 0) out.put(inode, new Socket(proto, address(f[1]), remote, state, inode));
            } catch (RuntimeException e) {
                // a line we do not understand is skipped, not fatal
            }
        }
    }

    /** Parses {@code /proc/net/unix} into {@code out}. */
    static void parseUnix(String text, Map<Long, Socket> out) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+", 8);
            if (f.length < 7 || !f[0].endsWith(":")) continue;
            try {
                int flags = Integer.parseInt(f[3], 16);
                int st = Integer.parseInt(f[5], 16);
                String state = (flags & SO_ACCEPTCON) != 0 ? "LISTEN" : st == 3 ? "CONNECTED" : "UNCONNECTED";
                long inode = Long.parseLong(f[6]);
                String path = f.length == 8 ? f[7] : "";
                String type = switch (Integer.parseInt(f[4], 16)) {
                    case 1 -> "stream";
                    case 2 -> "dgram";
                    case 5 -> "seqpacket";
                    default -> "";
                };
                out.put(inode, new Socket(type.isEmpty() ? "unix" : "unix/" + type, path, "", state, inode));
            } catch (RuntimeException e) {
                // skipped
            }
        }
    }

    /** "0100007F:1F90" (IPv4, each 32-bit word in host order) or the 32-hex-digit IPv6 form, to text. */
    static String address(String hexPort) {
        int colon = hexPort.indexOf(':');
        String hex = hexPort.substring(0, colon);
        int port = Integer.parseInt(hexPort.substring(colon + 1), 16);
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                // little-endian words on x86_64 and aarch64
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
            }
        }
        String ip = io.taskscope.text.InetText.address(b);
        return b.length == 4 ? ip + ":" + port : "[" + ip + "]:" + port;
    }

    /** All sockets of the network namespace process {@code pid} is in. Unreadable tables are skipped. */
    static Map<Long, Socket> of(io.taskscope.proc.ProcReader reader, int pid) {
        Map<Long, Socket> out = new HashMap<>();
        for (String proto : new String[] {"tcp", "tcp6", "udp", "udp6"}) {
            reader.text(pid, "net/" + proto).ifPresent(t -> parseInet(proto, t, out));
        }
        reader.text(pid, "net/unix").ifPresent(t -> parseUnix(t, out));
        return out;
    }
}
