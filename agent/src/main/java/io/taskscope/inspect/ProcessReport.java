package io.taskscope.inspect;

import java.util.List;
import java.util.Map;

/**
 * One page about a process: what {@code taskscope inspect} prints.
 *
 * @param container       the container's name, "" when it has none
 * @param namespaces      type -> inode ("mnt" -> 4026532211)
 * @param sharedWithUs    namespace types this process shares with taskscope
 * @param capabilities    effective, permitted, bounding, ambient, inheritable: summaries as pscap prints them
 * @param fds             open file descriptors, null when they could not be read (see {@code warnings})
 * @param warnings        what could not be read and why (permission, process gone)
 */
public record ProcessReport(int pid, int ppid, String container, String comm, char state, int threads, List<String> cmdline,
                            String exe, String cwd, String root, Ids user, Ids group, Map<String, Long> namespaces,
                            List<String> sharedWithUs, Map<String, String> capabilities, int noNewPrivs, String seccomp,
                            List<String> cgroups, List<Limit> limits, List<Fd> fds, List<Sockets.Socket> listening,
                            List<String> warnings) {

    /** The same report with another command line (secrets masked). */
    public ProcessReport withCmdline(List<String> argv) {
        return argv.equals(cmdline) ? this : new ProcessReport(pid, ppid, container, comm, state, threads, argv, exe, cwd, root,
                user, group, namespaces, sharedWithUs, capabilities, noNewPrivs, seccomp, cgroups, limits, fds, listening,
                warnings);
    }

    /** Real and effective id with the names the process's own container gives them. */
    public record Ids(int real, int effective, String realName, String effectiveName) {}

    /** One line of /proc/PID/limits. */
    public record Limit(String name, String soft, String hard, String units) {}

    /**
     * One open file descriptor.
     *
     * @param kind   file, directory, pipe, socket, anon, device, other
     * @param target the link text (a path inside the process's root, "pipe:[123]", "anon_inode:[eventfd]")
     * @param detail a socket's addresses and state, "(deleted)" files, else ""
     */
    public record Fd(int fd, String kind, String target, String detail) {}
}
