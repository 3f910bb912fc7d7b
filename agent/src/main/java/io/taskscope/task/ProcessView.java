package io.taskscope.task;

import io.taskscope.proc.ProcessInfo;
import io.taskscope.proc.StatField;
import io.taskscope.proc.SystemInfo;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Locale;

/**
 * One row of {@code taskscope ps}: a process with ps's derived columns, computed the way procps
 * computes them. The JSON output uses these component names (documented in docs/json.md).
 *
 * @param pid          PID in the monitor's namespace
 * @param ppid         parent PID
 * @param nspid        NSpid: the PID in each nested namespace, ours first
 * @param user         effective user name, from the process's own /etc/passwd
 * @param uid          effective uid
 * @param cpuPercent   CPU time over elapsed time since start, like ps's %CPU
 * @param memPercent   resident size over MemTotal
 * @param vszKiB       virtual size
 * @param rssKiB       resident size
 * @param tty          controlling terminal ("?" when none)
 * @param stat         state and ps's flags (&lt; N L s l +)
 * @param startEpochSeconds start time
 * @param cpuSeconds   user plus system CPU time
 * @param threads      thread count
 * @param comm         the kernel's command name
 * @param cmdline      the arguments
 * @param command      what ps's COMMAND shows
 * @param container    the container's name, "" when none
 * @param selfContainer the process is in the monitor's own container
 * @param role         app, self, pause, agent or kernel
 */
public record ProcessView(int pid, int ppid, List<Integer> nspid, String user, int uid, double cpuPercent,
                          double memPercent, long vszKiB, long rssKiB, String tty, String stat,
                          double startEpochSeconds, long cpuSeconds, int threads, String comm, List<String> cmdline,
                          String command, String container, Role role, boolean selfContainer) {

    public static ProcessView of(Task task, ProcessInfo p) {
        SystemInfo sys = task.table().system();
        long ticks = p.stat().get(StatField.UTIME) + p.stat().get(StatField.STIME);
        double elapsed = sys.uptimeSeconds() - (double) p.startTicks() / sys.clockTicks();
        double cpu = elapsed > 0 ? Math.min(999.9, 100.0 * ticks / sys.clockTicks() / elapsed) : 0;
        long rss = p.status().vmRssKiB();
        double mem = sys.memTotalKiB() > 0 ? 100.0 * rss / sys.memTotalKiB() : 0;
        int uid = p.euid();
        String user = p.kernelThread() ? (uid == 0 ? "root" : Integer.toString(uid)) : task.users().user(p, uid);
        Optional<Container> c = task.containerOf(p.pid());
        return new ProcessView(p.pid(), p.ppid(), p.nspid(), user, uid, truncate1(cpu), truncate1(mem),
                p.stat().get(StatField.VSIZE) / 1024, rss, tty((int) p.stat().get(StatField.TTY_NR)), stat(p),
                sys.startEpochSeconds(p.startTicks()), ticks / sys.clockTicks(), p.status().threads(), p.comm(),
                p.cmdline(), p.command(), c.map(Container::name).orElse(""),
                task.role(p.pid()), c.map(Container::self).orElse(false));
    }

    /** The same row with another command line (secrets masked); a kernel thread's [comm] stays. */
    public ProcessView withCmdline(List<String> argv) {
        if (argv.equals(cmdline)) return this;
        return new ProcessView(pid, ppid, nspid, user, uid, cpuPercent, memPercent, vszKiB, rssKiB, tty, stat,
                startEpochSeconds, cpuSeconds, threads, comm, argv, String.join(" ", argv).strip(), container, role,
                selfContainer);
    }

    /** The innermost PID when the process is in a PID namespace nested below ours, else 0. */
    public int innerPid(int selfDepth) {
        return nspid.size() > selfDepth ? nspid.get(nspid.size() - 1) : 0;
    }

    /** One decimal, truncated as procps does (it computes per mille in integers); the epsilon absorbs float error. */
    static double truncate1(double v) {
        return Math.floor(v * 10 + 1e-6) / 10.0;
    }

    /** ps's STAT: the state letter, then &lt; N L s l + as procps prints them. */
    static String stat(ProcessInfo p) {
        StringBuilder b = new StringBuilder(5).append(p.state());
        long nice = p.stat().get(StatField.NICE);
        if (nice < 0) b.append('<');
        else if (nice > 0) b.append('N');
        if (p.status().vmLckKiB() > 0) b.append('L');
        if (p.stat().get(StatField.SESSION) == p.pid()) b.append('s');
        if (p.status().threads() > 1) b.append('l');
        long tpgid = p.stat().get(StatField.TPGID);
        if (tpgid != -1 && tpgid == p.stat().get(StatField.PGRP)) b.append('+');
        return b.toString();
    }

    /** The device number of stat's tty_nr as a name: pts/0, tty1, ttyS0, or "?". */
    static String tty(int dev) {
        if (dev == 0) return "?";
        int major = (dev >> 8) & 0xfff;
        int minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
        if (major >= 136 && major <= 143) return "pts/" + ((major - 136) * 256 + minor);
        if (major == 4) return minor < 64 ? "tty" + minor : "ttyS" + (minor - 64);
        if (major == 5 && minor == 1) return "console";
        return major + "," + minor;
    }

    /** ps's START: HH:MM today, MonDD this year, else the year. */
    public String start(ZoneId zone, Instant now) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochMilli((long) (startEpochSeconds * 1000)), zone);
        LocalDate today = LocalDate.ofInstant(now, zone);
        if (now.getEpochSecond() - (long) startEpochSeconds < 24 * 3600 && t.toLocalDate().equals(today)) {
            return t.format(DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT));
        }
        if (t.getYear() == today.getYear()) return t.format(DateTimeFormatter.ofPattern("MMMdd", Locale.ROOT));
        return Integer.toString(t.getYear());
    }

    /** ps's TIME in aux format: M:SS (minutes may exceed 59). */
    public String time() {
        return (cpuSeconds / 60) + ":" + String.format(Locale.ROOT, "%02d", cpuSeconds % 60);
    }
}
