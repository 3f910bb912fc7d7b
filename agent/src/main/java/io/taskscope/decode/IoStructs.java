package io.taskscope.decode;

import io.taskscope.linux.Arch;
import java.nio.ByteBuffer;

/**
 * I/O vectors and epoll events as strace prints them (its io.c and epoll.c): {@code [{iov_base="...", iov_len=N}, ...]}
 * and {@code {events=EPOLLIN|EPOLLET, data={u32=5, u64=5}}}. Arrays follow strace's print_array: at most {@code -s}
 * elements, then {@code ...}; the address when the first element cannot be read. Every count comes from the tracee
 * and is bounded here.
 */
final class IoStructs {
    /** Never more elements than this are read, whatever -s says (UIO_MAXIOV is 1024). */
    static final int MAX_ELEMENTS = 1024;

    private final Xlat xlat;
    private final Strings strings;
    private final int epollEventSize;

    IoStructs(Xlat xlat, Arch arch, Strings strings) {
        this.xlat = xlat;
        this.strings = strings;
        this.epollEventSize = arch == Arch.X86_64 ? 12 : 16; // struct epoll_event is packed on x86_64 only
    }

    private int maxElements() {
        return Math.min(Math.max(strings.stringLimit, 0), MAX_ELEMENTS);
    }

    /**
     * An iovec array of {@code count} elements. With {@code data}, each iov_base is the data there, cut at -s, and
     * no more than {@code dataSize} bytes in all (-1: no limit; readv's is its return value); without, addresses
     * (a failed readv).
     */
    String iovec(long addr, long count, long dataSize, boolean data, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        if (count == 0) return "[]";
        // strace's print_array: the address when count * 16 overflows or the array wraps around the address space
        if (Long.compareUnsigned(count, Long.divideUnsigned(-1L, 16)) > 0 || Long.compareUnsigned(addr + 16 * count, addr) < 0) {
            return Strings.ptr(addr);
        }
        StringBuilder s = new StringBuilder();
        long left = dataSize;
        int limit = maxElements();
        for (long i = 0; i < count; i++) {
            if (i > 0) s.append(", ");
            ByteBuffer b = Structs.struct(addr + 16 * i, 16, mem);
            if (b == null) {
                if (i == 0) return Strings.ptr(addr);
                s.append("... /* ").append(Strings.ptr(addr + 16 * i)).append(" */");
                break;
            }
            if (i == 0) s.append('[');
            if (i >= limit) {
                s.append("...");
                break;
            }
            long base = b.getLong(0), len = b.getLong(8);
            s.append("{iov_base=");
            if (data) {
                long shown = left >= 0 && Long.compareUnsigned(len, left) > 0 ? left : len;
                if (left >= 0) left -= shown;
                s.append(strings.buffer(base, shown, mem));
            } else {
                s.append(Strings.ptr(base));
            }
            s.append(", iov_len=").append(Long.toUnsignedString(len)).append('}');
        }
        return s.append(']').toString();
    }

    /** One struct epoll_event at {@code addr} (epoll_ctl's); the address when unreadable. */
    String epollEvent(long addr, TraceeMemory mem) {
        ByteBuffer b = Structs.struct(addr, epollEventSize, mem);
        return b == null ? Strings.ptr(addr) : epollEvent(b, 0);
    }

    private String epollEvent(ByteBuffer b, int off) {
        long events = b.getInt(off) & 0xffffffffL;
        long data = b.getLong(off + epollEventSize - 8);
        return "{events=" + xlat.flagsOrZero("epoll_events", events) + ", data={u32=" + Integer.toUnsignedString((int) data)
                + ", u64=" + Long.toUnsignedString(data) + "}}";
    }

    /** epoll_wait's array: the {@code n} events the call returned. */
    String epollEvents(long addr, long n, TraceeMemory mem) {
        if (addr == 0) return "NULL";
        if (n <= 0) return n == 0 ? "[]" : Strings.ptr(addr);
        int shown = (int) Math.min(n, maxElements());
        ByteBuffer b = Structs.struct(addr, shown * epollEventSize, mem);
        if (b == null) return Strings.ptr(addr);
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shown; i++) s.append(i > 0 ? ", " : "").append(epollEvent(b, i * epollEventSize));
        if (n > shown) s.append(", ...");
        return s.append(']').toString();
    }
}
