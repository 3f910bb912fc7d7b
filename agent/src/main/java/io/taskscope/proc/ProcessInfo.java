package io.taskscope.proc;

import java.util.List;
import java.util.Optional;

/**
 * One process as a snapshot saw it: what the default views need, read eagerly. Everything else
 * (cgroups, other namespaces, exe, cwd, environ) is read on demand through {@link ProcReader}: a
 * snapshot of 2,000 processes must stay under 100 ms, and each procfs file costs ~10 µs here.
 *
 * @param pid      the PID in the namespace of the procfs we read (the monitor's)
 * @param stat     {@code /proc/<pid>/stat}
 * @param status   {@code /proc/<pid>/status}
 * @param cmdline  the arguments; empty for kernel threads, zombies and processes that cleared them
 * @param mntNs    the mount namespace inode, 0 when unreadable (zombies, no permission)
 * @param root     identity of the root directory, empty when unreadable
 */
public record ProcessInfo(int pid, ProcStat stat, ProcStatus status, List<String> cmdline,
                          long mntNs, Optional<FileId> root) {

    public int ppid() {
        return stat.ppid();
    }

    public String comm() {
        return stat.comm();
    }

    public char state() {
        return stat.state();
    }

    /** Kernel threads: PF_KTHREAD, or kthreadd (PID 2) and its children on kernels without the flag. */
    public boolean kernelThread() {
        return stat.kernelThread() || pid == 2 || stat.ppid() == 2;
    }

    public boolean zombie() {
        return stat.zombie();
    }

    /** The effective user ID (ps's USER). */
    public int euid() {
        return status.uid().effective();
    }

    public int egid() {
        return status.gid().effective();
    }

    /** Start time after boot in clock ticks: with the PID, it identifies a process across PID reuse. */
    public long startTicks() {
        return stat.get(StatField.STARTTIME);
    }

    /** NSpid: the PID in each nested PID namespace, ours first. */
    public List<Integer> nspid() {
        return status.nspid();
    }

    public int innermostPid() {
        return status.innermostPid();
    }

    /**
     * The command as {@code ps} shows it: the arguments joined by spaces, or {@code [comm]} when
     * there are none (kernel threads), with {@code <defunct>} for zombies.
     */
    public String command() {
        if (cmdline.isEmpty() || cmdline.size() == 1 && cmdline.get(0).isEmpty()) {
            return "[" + comm() + "]" + (zombie() ? " <defunct>" : "");
        }
        return String.join(" ", cmdline).strip();
    }

    /** The first argument (the program as invoked), or comm. */
    public String program() {
        return cmdline.isEmpty() || cmdline.get(0).isEmpty() ? comm() : cmdline.get(0);
    }
}
