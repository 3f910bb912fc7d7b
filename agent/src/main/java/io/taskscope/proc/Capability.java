package io.taskscope.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Linux capabilities by number, as in {@code <linux/capability.h>}. */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO, SYS_CHROOT,
    SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME, SYS_TTY_CONFIG, MKNOD, LEASE,
    AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG, WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ,
    PERFMON, BPF, CHECKPOINT_RESTORE;

    /** The bit of this capability in a CapEff-style mask. */
    public long bit() {
        return 1L << ordinal();
    }

    public boolean in(long mask) {
        return (mask & bit()) != 0;
    }

    /** pscap's spelling: lower case without the CAP_ prefix ("sys_ptrace"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every capability up to the kernel's last one (/proc/sys/kernel/cap_last_cap). */
    public static long fullMask(int lastCap) {
        return lastCap >= 63 ? -1L : (1L << (lastCap + 1)) - 1;
    }

    /** The kernel's last capability number; this table's last when the file is unreadable. */
    public static int lastCap(ProcReader r) {
        return r.text(r.proc().global("sys/kernel/cap_last_cap")).map(String::strip).map(s -> {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return values().length - 1;
            }
        }).orElse(values().length - 1);
    }

    /** Names in a mask; bits this table does not know print as "cap_N". */
    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((mask & (1L << bit)) == 0) continue;
            out.add(bit < values().length ? values()[bit].label() : "cap_" + bit);
        }
        return out;
    }

    /**
     * pscap's summary: "full" when every capability of the kernel is there, "none", the names, or
     * for a nearly full set (root minus a few) "full -sys_resource": a list of 40 names hides the
     * one that matters.
     */
    public static String describe(long mask, int lastCap) {
        if (mask == 0) return "none";
        long full = fullMask(lastCap);
        if ((mask & full) == full) return "full";
        List<String> missing = names(full & ~mask);
        if (missing.size() <= 8 && Long.bitCount(mask & full) > 2 * missing.size()) {
            return "full -" + String.join(" -", missing);
        }
        return String.join(", ", names(mask));
    }
}
