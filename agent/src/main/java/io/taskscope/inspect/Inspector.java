package io.taskscope.inspect;

import io.taskscope.TaskscopeException;
import io.taskscope.proc.Capability;
import io.taskscope.proc.NsType;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcStatus;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.task.Container;
import io.taskscope.task.Task;
import io.taskscope.task.UserNames;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds a {@link ProcessReport} from procfs. Everything here is read from the monitor's own
 * /proc (links are read as text, never followed), so a hostile target can lie about itself but
 * cannot lead us anywhere. A process may exit mid-read: what was read is reported, the rest is
 * named in the warnings.
 */
public final class Inspector {
    static final int MAX_FDS = 4096;
    private static final String NEED_PTRACE = "needs CAP_SYS_PTRACE";

    private Inspector() {}

    public static ProcessReport inspect(Task task, int pid) {
        ProcReader r = new ProcReader(task.proc());
        ProcessInfo p = task.process(pid).orElseThrow(() -> TaskscopeException.usage(
                "no process with PID " + pid, "run 'taskscope ps' to list the processes"));
        ProcStatus st = p.status();
        List<String> warnings = new ArrayList<>();
        String container = task.containerOf(pid).map(Container::name).orElse("");

        String exe = r.exe(pid).orElseGet(() -> link(r, pid, "exe", warnings)); // runc's detached init: ProcReader.exe
        String cwd = link(r, pid, "cwd", warnings);
        String root = link(r, pid, "root", warnings);

        UserNames names = task.users();
        var user = new ProcessReport.Ids(st.uid().real(), st.uid().effective(), names.user(pid, st.uid().real()),
                names.user(pid, st.uid().effective()));
        var group = new ProcessReport.Ids(st.gid().real(), st.gid().effective(), names.group(pid, st.gid().real()),
                names.group(pid, st.gid().effective()));

        Map<String, Long> ns = new LinkedHashMap<>();
        Map<NsType, Long> mine = r.namespaces(pid);
        Map<NsType, Long> ours = r.namespaces(task.selfPid());
        List<String> shared = new ArrayList<>();
        for (var e : mine.entrySet()) {
            ns.put(e.getKey().file(), e.getValue());
            if (e.getValue().equals(ours.get(e.getKey()))) shared.add(e.getKey().file());
        }
        if (mine.isEmpty() && !p.kernelThread()) {
            warnings.add("namespaces: " + unreadable(task.proc().file(pid, "ns/mnt")));
            shared = null; // unknown, not "none shared"
            ns = null;
        }

        int lastCap = Capability.lastCap(r);
        Map<String, String> caps = new LinkedHashMap<>();
        caps.put("effective", Capability.describe(st.capEff(), lastCap));
        caps.put("permitted", Capability.describe(st.capPrm(), lastCap));
        caps.put("inheritable", Capability.describe(st.capInh(), lastCap));
        caps.put("bounding", Capability.describe(st.capBnd(), lastCap));
        caps.put("ambient", Capability.describe(st.capAmb(), lastCap));
        String seccomp = switch (st.seccomp()) {
            case 0 -> "disabled";
            case 1 -> "strict";
            case 2 -> "filter";
            default -> "unknown";
        };

        List<String> cgroups = r.cgroups(pid).stream()
                .map(c -> c.hierarchy() + ":" + c.controllers() + ":" + c.path()).toList();
        List<ProcessReport.Limit> limits = r.text(pid, "limits").map(Inspector::parseLimits).orElse(List.of());

        List<ProcessReport.Fd> fds = fds(task, r, pid, warnings);
        List<Sockets.Socket> listening = new ArrayList<>();
        if (fds != null) {
            Map<Long, Sockets.Socket> sockets = fds.stream().anyMatch(f -> f.kind().equals("socket")) ? Sockets.of(r, pid) : Map.of();
            List<ProcessReport.Fd> decoded = new ArrayList<>();
            for (ProcessReport.Fd f : fds) {
                if (f.kind().equals("socket")) {
                    Sockets.Socket s = sockets.get(socketInode(f.target()));
                    if (s != null) {
                        f = new ProcessReport.Fd(f.fd(), f.kind(), f.target(), s.describe());
                        if (s.listening() && !listening.contains(s)) listening.add(s);
                    }
                }
                decoded.add(f);
            }
            fds = decoded;
        }
        if (!r.sameProcess(pid, p.startTicks())) {
            throw TaskscopeException.runtime("process " + pid + " exited while it was inspected (its PID may now name another "
                    + "process): nothing of it is shown", "run 'taskscope ps' and inspect the process that is there now");
        }
        return new ProcessReport(pid, p.ppid(), container, p.comm(), p.state(), st.threads(), p.cmdline(), exe, cwd, root,
                user, group, ns, shared, caps, st.noNewPrivs(), seccomp, cgroups, limits, fds, listening, warnings);
    }

    /** The link's text, or null with a warning that says why it could not be read ("exe: unreadable: EACCES ..."). */
    private static String link(ProcReader r, int pid, String name, List<String> warnings) {
        return r.link(pid, name).orElseGet(() -> {
            warnings.add(name + ": " + unreadable(r.proc().file(pid, name)));
            return null;
        });
    }

    /** Why a procfs link cannot be read, with the errno: "unreadable: EACCES (needs CAP_SYS_PTRACE)". */
    static String unreadable(Path link) {
        try {
            Files.readSymbolicLink(link);
            return "unreadable: it changed while it was read (the process exec'd or exited)";
        } catch (AccessDeniedException e) {
            return "unreadable: EACCES (" + NEED_PTRACE + ")";
        } catch (java.nio.file.NoSuchFileException e) {
            return "unreadable: ENOENT (the process exited)";
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage();
            return "unreadable: " + (m == null ? e.getClass().getSimpleName() : m);
        }
    }

    private static List<ProcessReport.Fd> fds(Task task, ProcReader r, int pid, List<String> warnings) {
        Path dir = task.proc().file(pid, "fd");
        List<ProcessReport.Fd> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            List<Integer> nums = s.map(x -> x.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Integer::parseInt).sorted().toList();
            if (nums.size() > MAX_FDS) warnings.add("fds: " + nums.size() + " open, showing the first " + MAX_FDS);
            for (int fd : nums.subList(0, Math.min(nums.size(), MAX_FDS))) {
                r.link(pid, "fd/" + fd).ifPresent(t -> out.add(new ProcessReport.Fd(fd, kind(t), t, "")));
            }
            return out;
        } catch (AccessDeniedException e) {
            warnings.add("fds: not readable (" + NEED_PTRACE + ")");
        } catch (IOException e) {
            warnings.add("fds: not readable (" + e.getMessage() + ")");
        }
        return null;
    }

    static String kind(String target) {
        if (target.startsWith("socket:[")) return "socket";
        if (target.startsWith("pipe:[")) return "pipe";
        if (target.startsWith("anon_inode:")) return "anon";
        if (target.startsWith("/dev/")) return "device";
        if (target.startsWith("/")) return "file";
        return "other";
    }

    private static long socketInode(String target) {
        try {
            return Long.parseLong(target.substring("socket:[".length(), target.length() - 1));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** /proc/PID/limits is a fixed-width table; columns are found from its header. */
    static List<ProcessReport.Limit> parseLimits(String text) {
        List<String> lines = text.lines().toList();
        if (lines.isEmpty()) return List.of();
        String h = lines.get(0);
        int soft = h.indexOf("Soft Limit"), hard = h.indexOf("Hard Limit"), units = h.indexOf("Units");
        if (soft < 0 || hard < 0 || units < 0) return List.of();
        List<ProcessReport.Limit> out = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            if (l.length() < hard) continue;
            out.add(new ProcessReport.Limit(l.substring(0, soft).strip(), l.substring(soft, hard).strip(),
                    l.substring(hard, Math.min(units, l.length())).strip(), units < l.length() ? l.substring(units).strip() : ""));
        }
        return out;
    }
}
