package io.taskscope.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntFunction;

/**
 * Socket structs as strace prints them (its sockaddr.c and msghdr.c): socket addresses, and struct msghdr with its
 * name, iovecs and control messages (SCM_RIGHTS fds, SCM_CREDENTIALS). Control data is read once, at most
 * {@link #MAX_CONTROL} bytes (the kernel's optmem_max default), and walked with checked lengths.
 */
final class NetStructs {
    static final int MAX_CONTROL = 20480;
    private static final int CMSG_HDR = 16;

    private final Xlat xlat;
    private final IoStructs vectors;

    NetStructs(Xlat xlat, IoStructs io) {
        this.xlat = xlat;
        this.vectors = io;
    }

    /**
     * sendmsg's and recvmsg's struct msghdr. {@code namelenBefore}: recvmsg's msg_namelen before the call (printed as
     * {@code 110 => 16} when the call changed it), -1 for sendmsg; {@code dataSize}: recvmsg's return value, -1 for
     * sendmsg.
     */
    String msghdr(long addr, int namelenBefore, long dataSize, IntFunction<String> fdText, TraceeMemory mem) {
        ByteBuffer m = Structs.struct(addr, 56, mem);
        if (m == null) return Strings.ptr(addr);
        long name = m.getLong(0), iov = m.getLong(16), iovlen = m.getLong(24), control = m.getLong(32);
        long controllen = m.getLong(40);
        int namelen = m.getInt(8), flags = m.getInt(48);
        int shownLen = namelenBefore >= 0 && namelen > namelenBefore ? namelenBefore : namelen;
        StringBuilder s = new StringBuilder("{msg_name=").append(sockaddr(name, shownLen, mem)).append(", msg_namelen=");
        if (namelenBefore >= 0 && namelenBefore != namelen) s.append(namelenBefore).append(" => ");
        s.append(namelen).append(", msg_iov=").append(vectors.iovec(iov, iovlen, dataSize, true, mem))
                .append(", msg_iovlen=").append(Long.toUnsignedString(iovlen));
        if (controllen != 0) s.append(", msg_control=").append(control(control, controllen, fdText, mem));
        return s.append(", msg_controllen=").append(Long.toUnsignedString(controllen)).append(", msg_flags=")
                .append(xlat.flagsOrZero("msg_flags", flags & 0xffffffffL)).append('}').toString();
    }

    /** recvmsg's msg_namelen before the call; Long.MIN_VALUE when unreadable. */
    static long namelen(long addr, TraceeMemory mem) {
        ByteBuffer m = Structs.struct(addr + 8, 4, mem);
        return m == null ? Long.MIN_VALUE : m.getInt(0);
    }

    /** The control messages: [{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3, 4]}]. */
    private String control(long addr, long inLen, IntFunction<String> fdText, TraceeMemory mem) {
        int len = (int) Math.min(Long.compareUnsigned(inLen, MAX_CONTROL) > 0 ? MAX_CONTROL : inLen, MAX_CONTROL);
        ByteBuffer b = len < CMSG_HDR ? null : Structs.struct(addr, len, mem);
        if (b == null) return Strings.ptr(addr);
        StringBuilder s = new StringBuilder("[");
        int off = 0, left = len;
        while (left >= CMSG_HDR) {
            long cmsgLen = b.getLong(off);
            int level = b.getInt(off + 8), type = b.getInt(off + 12);
            if (off > 0) s.append(", ");
            s.append("{cmsg_len=").append(Long.toUnsignedString(cmsgLen)).append(", cmsg_level=")
                    .append(xlat.nameOr("socket_levels", level & 0xffffffffL, " /* SOL_??? */")).append(", cmsg_type=");
            long avail = Long.compareUnsigned(cmsgLen, left) > 0 ? left : cmsgLen;
            int dataLen = avail > CMSG_HDR ? (int) avail - CMSG_HDR : 0;
            if (level == 1) {
                s.append(xlat.nameOr("scm_types", type & 0xffffffffL, " /* SCM_??? */"));
                if (type == 1 && dataLen >= 4) {
                    s.append(", cmsg_data=[");
                    for (int i = 0; i + 4 <= dataLen; i += 4) s.append(i > 0 ? ", " : "").append(fdText.apply(b.getInt(off + CMSG_HDR + i)));
                    s.append(']');
                } else if (type == 2 && dataLen >= 12) {
                    s.append(", cmsg_data={pid=").append(Integer.toUnsignedString(b.getInt(off + CMSG_HDR)))
                            .append(", uid=").append(Integer.toUnsignedString(b.getInt(off + CMSG_HDR + 4)))
                            .append(", gid=").append(Integer.toUnsignedString(b.getInt(off + CMSG_HDR + 8))).append('}');
                }
            } else {
                s.append(Strings.hex(type & 0xffffffffL));
            }
            s.append('}');
            if (avail < CMSG_HDR) {
                left -= CMSG_HDR;
                break;
            }
            long next = (cmsgLen + 7) & ~7L;
            if (next == 0 || Long.compareUnsigned(next, left) >= 0) { // 0: a cmsg_len that wrapped around
                left = 0;
                break;
            }
            off += (int) next;
            left -= (int) next;
        }
        if (left > 0) s.append(", ... /* ").append(Strings.ptr(addr + off)).append(" */");
        else if (len < inLen) s.append(", ...");
        return s.append(']').toString();
    }

    /** {@code {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}} and friends. */
    String sockaddr(long addr, int len, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        if (len < 2) return Strings.hex(addr);
        int size = Math.min(len, 128);
        byte[] raw = new byte[size];
        int n = mem.read(addr, raw, 0, size);
        if (n < 2) return Strings.hex(addr);
        ByteBuffer b = ByteBuffer.wrap(raw, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        int family = b.getShort(0) & 0xffff;
        String fam = xlat.nameOr("address_families", family, " /* AF_??? */");
        if (family == 2 && n >= 8) {
            int port = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
            return "{sa_family=AF_INET, sin_port=htons(" + port + "), sin_addr=inet_addr(\""
                    + io.taskscope.text.InetText.ipv4(raw, 4) + "\")}";
        }
        if (family == 10 && n >= 24) {
            int port = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
            String ip = io.taskscope.text.InetText.ipv6(raw, 8);
            int flow = ByteBuffer.wrap(raw, 4, 4).order(ByteOrder.BIG_ENDIAN).getInt();
            int scope = n >= 28 ? b.getInt(24) : 0;
            return "{sa_family=AF_INET6, sin6_port=htons(" + port + "), sin6_flowinfo=htonl(" + flow
                    + "), inet_pton(AF_INET6, \"" + ip + "\", &sin6_addr), sin6_scope_id=" + scope + "}";
        }
        if (family == 1) {
            if (n <= 2) return "{sa_family=AF_UNIX}";
            boolean abstractName = raw[2] == 0 && n > 3;
            int start = abstractName ? 3 : 2, end = start;
            while (end < n && (abstractName || raw[end] != 0)) end++;
            String p = Strings.quote(java.util.Arrays.copyOfRange(raw, start, end), false);
            return "{sa_family=AF_UNIX, sun_path=" + (abstractName ? "@" + p : p) + "}";
        }
        return "{sa_family=" + fam + ", ...}";
    }}
