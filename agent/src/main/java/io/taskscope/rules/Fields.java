package io.taskscope.rules;

import io.taskscope.event.FileChangeEvent;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.proc.Capability;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Falco fields taskscope fills, with Falco's meanings, and the ones it knows it cannot fill. A value
 * is a String, a Long, a Boolean, or (a field over every ancestor, {@code proc.aname}) a List; null means
 * the event has no value for it, and every comparison on it is false, as in Falco.
 */
final class Fields {
    private Fields() {}

    enum Type { STRING, NUMBER, BOOL }

    enum Arg { NONE, INDEX, NAME }

    @FunctionalInterface
    interface Extractor {
        Object get(EventContext c, String arg);
    }

    /** @param lifecycle whether process events alone can give it a value (no syscall stop needed) */
    record Def(String name, Type type, Arg arg, boolean lifecycle, Extractor ex, String doc) {}

    private static final Map<String, Def> DEFS = new LinkedHashMap<>();

    /** Field classes Falco has: a name under one of them that is not in {@link #DEFS} is a field we cannot fill. */
    private static final Set<String> FALCO_CLASSES = Set.of("evt", "fd", "fdlist", "proc", "thread", "user", "group",
            "container", "k8s", "ka", "fs", "mesos", "span", "evtin", "syslog", "k8smeta", "jevt", "ct", "json",
            "cloudtrail", "gcp", "aws", "ce", "fspath");

    static {
        // ------------------------------------------------------------------ evt
        def("evt.type", Type.STRING, true, (c, a) -> c.type, "the event type: a syscall name, execve, clone, procexit...");
        def("evt.dir", Type.STRING, true, (c, a) -> c.type == null ? null : "<", "always '<': taskscope reports calls at their exit");
        def("evt.res", Type.STRING, true, (c, a) -> {
            SyscallEvent s = c.syscall();
            if (s != null) return s.failed() ? s.errno() : "SUCCESS";
            if (c.event instanceof FileChangeEvent) return c.type == null ? null : "SUCCESS";
            return c.event instanceof ProcessEvent p && p.kind() != ProcessEvent.Kind.EXIT ? "SUCCESS" : null;
        }, "SUCCESS, or the errno name");
        def("evt.rawres", Type.NUMBER, true, (c, a) -> {
            SyscallEvent s = c.syscall();
            if (s != null) return EventContext.rawres(s);
            if (c.event instanceof FileChangeEvent) return c.type == null ? null : 0L;
            return c.event instanceof ProcessEvent p && p.kind() != ProcessEvent.Kind.EXIT ? 0L : null;
        }, "the return value, -errno on failure");
        def("evt.failed", Type.BOOL, true, (c, a) -> {
            SyscallEvent s = c.syscall();
            if (s != null) return s.failed();
            if (c.event instanceof FileChangeEvent) return c.type == null ? null : false;
            return c.event instanceof ProcessEvent p && p.kind() != ProcessEvent.Kind.EXIT ? false : null;
        }, "true when the call failed");
        defArg("evt.arg", Type.STRING, Arg.NAME, false, (c, a) -> {
            if (a == null) return null;
            if (!a.isEmpty() && Character.isDigit(a.charAt(0))) return c.arg(Integer.parseInt(a));
            return c.arg(a);
        }, "an argument by Falco's name (evt.arg.flags, evt.arg.newpath) or by position (evt.arg[1])");
        def("evt.args", Type.STRING, false, (c, a) -> c.args(), "every argument as name=value");
        def("evt.is_open_read", Type.BOOL, false, (c, a) -> openMode(c, true), "an open for reading");
        def("evt.is_open_write", Type.BOOL, false, (c, a) -> openMode(c, false), "an open for writing");
        def("evt.time", Type.STRING, true, (c, a) -> clock(c.event.timeNanos()), "time of day, HH:MM:SS.nanoseconds (UTC)");
        def("evt.rawtime", Type.NUMBER, true, (c, a) -> c.event.timeNanos(), "nanoseconds since the epoch");
        def("evt.num", Type.NUMBER, true, (c, a) -> c.num, "the event's sequence number in this agent");
        def("evt.hostname", Type.STRING, true, (c, a) -> c.env.hostname(), "the monitor's host name");
        def("evt.source", Type.STRING, true, (c, a) -> "syscall", "always syscall");
        // ------------------------------------------------------------------ fd
        def("fd.name", Type.STRING, false, (c, a) -> c.fdName(), "the opened file's absolute path; a unix socket's path");
        def("fd.nameraw", Type.STRING, false, (c, a) -> {
            SyscallEvent s = c.syscall();
            return s != null && SyscallArgs.OPENS.contains(s.syscall()) ? s.path() : c.isOpen() ? c.fdName() : null;
        }, "the path as the process passed it");
        def("fd.directory", Type.STRING, false, (c, a) -> dirname(c.fdName()), "fd.name's directory");
        def("fd.filename", Type.STRING, false, (c, a) -> basename(c.fdName()), "fd.name's last component");
        def("fd.typechar", Type.STRING, false, (c, a) -> {
            if (c.isOpen()) return dirFlag(c) ? "d" : "f";
            if (c.event instanceof FileChangeEvent f) return c.type == null ? null : f.directory() ? "d" : "f";
            SyscallArgs.SockAddr s = c.sockaddr();
            return s == null ? null : String.valueOf(s.typechar());
        }, "f file, d directory, 4 ipv4, 6 ipv6, u unix");
        def("fd.type", Type.STRING, false, (c, a) -> {
            if (c.isOpen()) return dirFlag(c) ? "directory" : "file";
            if (c.event instanceof FileChangeEvent f) return c.type == null ? null : f.directory() ? "directory" : "file";
            SyscallArgs.SockAddr s = c.sockaddr();
            return s == null ? null : s.type();
        }, "file, directory, ipv4, ipv6, unix");
        def("fd.num", Type.NUMBER, false, (c, a) -> {
            SyscallEvent s = c.syscall();
            if (s == null) return null;
            if (SyscallArgs.RETURNS_FD.contains(s.syscall()) && !s.syscall().startsWith("accept")) return EventContext.rawres(s);
            if (SyscallArgs.index(s.syscall(), "fd") == 0) return number(c.arg(0));
            return null;
        }, "the file descriptor");
        def("fd.sip", Type.STRING, false, (c, a) -> peer(c, true) ? c.sockaddr().ip() : null, "source IP (accept: the client)");
        def("fd.sport", Type.NUMBER, false, (c, a) -> peer(c, true) ? (long) c.sockaddr().port() : null, "source port");
        def("fd.dip", Type.STRING, false, (c, a) -> peer(c, false) ? c.sockaddr().ip() : null, "destination IP (connect, sendto)");
        def("fd.dport", Type.NUMBER, false, (c, a) -> peer(c, false) ? (long) c.sockaddr().port() : null, "destination port");
        def("fd.l4proto", Type.STRING, false, (c, a) -> null, "not known from the call alone: never has a value");
        def("fs.path.name", Type.STRING, false, (c, a) -> c.fsPath("name"), "the path a one-path call works on");
        def("fs.path.source", Type.STRING, false, (c, a) -> c.fsPath("source"), "rename/link: the old path; symlink: the target");
        def("fs.path.target", Type.STRING, false, (c, a) -> c.fsPath("target"), "rename/link: the new path; symlink: the link");
        // ------------------------------------------------------------------ proc
        def("proc.name", Type.STRING, true, (c, a) -> c.proc == null ? null : c.proc.comm, "the command name (comm, 15 characters)");
        def("proc.exe", Type.STRING, true, (c, a) -> argv0(c.proc), "argv[0]");
        def("proc.exepath", Type.STRING, true, (c, a) -> c.proc == null ? null : c.proc.exe, "the executable's full path");
        def("proc.cmdline", Type.STRING, true, (c, a) -> cmdline(c.proc), "proc.name and the arguments");
        def("proc.args", Type.STRING, true, (c, a) -> args(c.proc), "the arguments after argv[0]");
        def("proc.pid", Type.NUMBER, true, (c, a) -> c.proc == null ? null : (long) c.proc.pid, "process id");
        def("proc.vpid", Type.NUMBER, true, (c, a) -> c.proc == null ? null : (long) c.proc.pid, "process id (the task shares one PID namespace)");
        def("proc.ppid", Type.NUMBER, true, (c, a) -> c.proc == null || c.proc.ppid < 0 ? null : (long) c.proc.ppid, "parent process id");
        def("proc.pname", Type.STRING, true, (c, a) -> comm(ancestor(c, 1)), "the parent's proc.name");
        def("proc.pcmdline", Type.STRING, true, (c, a) -> cmdline(ancestor(c, 1)), "the parent's proc.cmdline");
        def("proc.pexe", Type.STRING, true, (c, a) -> argv0(ancestor(c, 1)), "the parent's proc.exe");
        def("proc.pexepath", Type.STRING, true, (c, a) -> exe(ancestor(c, 1)), "the parent's proc.exepath");
        defArg("proc.aname", Type.STRING, Arg.INDEX, true, (c, a) -> a == null
                ? ancestors(c, Fields::comm) : comm(ancestor(c, Integer.parseInt(a))),
                "proc.aname[n]: the name of the nth ancestor (0 itself, 1 parent); without [n]: any ancestor");
        defArg("proc.apid", Type.NUMBER, Arg.INDEX, true, (c, a) -> {
            if (a == null) return ancestors(c, p -> (long) p.pid);
            ProcessTree.Proc p = ancestor(c, Integer.parseInt(a));
            return p == null ? null : (long) p.pid;
        }, "proc.apid[n]: the pid of the nth ancestor; without [n]: any ancestor");
        def("proc.cwd", Type.STRING, true, (c, a) -> c.proc == null || c.proc.cwd == null ? null
                : c.proc.cwd.endsWith("/") ? c.proc.cwd : c.proc.cwd + "/", "the working directory, with a trailing /");
        def("proc.tty", Type.NUMBER, true, (c, a) -> c.proc == null || c.proc.tty < 0 ? null : c.proc.tty, "the controlling terminal (0: none)");
        def("proc.sname", Type.STRING, true, (c, a) -> {
            if (c.proc == null || c.proc.sid <= 0) return null;
            return comm(c.proc.sid == c.proc.pid ? c.proc : c.tree.get(c.proc.sid));
        }, "the session leader's proc.name");
        def("proc.is_exe_from_memfd", Type.BOOL, true, (c, a) -> c.proc == null || c.proc.exe == null ? null
                : c.proc.exe.startsWith("/memfd:"), "the executable is a memfd (fileless execution)");
        def("proc.duration", Type.NUMBER, true, (c, a) -> c.proc == null || c.proc.startNanos <= 0 ? null
                : Math.max(0, c.event.timeNanos() - c.proc.startNanos), "nanoseconds since the process started");
        def("thread.tid", Type.NUMBER, false, (c, a) -> c.syscall() == null ? null : (long) c.syscall().tid(), "thread id");
        def("thread.cap_effective", Type.STRING, true, (c, a) -> c.proc == null || c.proc.capEffective < 0 ? null
                : caps(c.proc.capEffective), "effective capabilities, CAP_X names separated by spaces");
        // ------------------------------------------------------------------ user, group
        def("user.uid", Type.NUMBER, true, (c, a) -> c.proc == null || c.proc.uid < 0 ? null : (long) c.proc.uid, "real uid");
        def("user.name", Type.STRING, true, (c, a) -> c.proc == null || c.proc.uid < 0 ? null
                : orNumber(c.env.userName(c.proc.pid, c.proc.uid), c.proc.uid), "user name from the container's /etc/passwd");
        def("user.loginuid", Type.NUMBER, true, (c, a) -> c.proc == null || c.proc.loginuid == -2 ? null : c.proc.loginuid,
                "audit login uid (-1: none)");
        def("group.gid", Type.NUMBER, true, (c, a) -> c.proc == null || c.proc.gid < 0 ? null : (long) c.proc.gid, "real gid");
        def("group.name", Type.STRING, true, (c, a) -> c.proc == null || c.proc.gid < 0 ? null
                : orNumber(c.env.groupName(c.proc.pid, c.proc.gid), c.proc.gid), "group name from the container's /etc/group");
        // ------------------------------------------------------------------ container
        def("container.id", Type.STRING, true, (c, a) -> {
            String n = c.container();
            if (n == null) return "host";
            RuleEnv.ContainerMeta m = c.env.container(n);
            return m == null || m.id() == null ? n : m.id();
        }, "the engine's container id; 'host' outside any container");
        def("container.name", Type.STRING, true, (c, a) -> c.container() == null ? "host" : c.container(), "the container's name");
        def("container.image", Type.STRING, true, (c, a) -> meta(c) == null ? null : meta(c).image(), "the image");
        def("container.image.repository", Type.STRING, true, (c, a) -> meta(c) == null ? null : meta(c).repository(), "the image's repository");
        def("container.image.tag", Type.STRING, true, (c, a) -> meta(c) == null ? null : meta(c).tag(), "the image's tag");
        def("container.privileged", Type.BOOL, true, (c, a) -> meta(c) == null ? null : meta(c).privileged(), "privileged, when the engine says");
        def("container.start_ts", Type.NUMBER, true, (c, a) -> meta(c) == null ? null : meta(c).startTs(), "start time, epoch nanoseconds");
    }

    private static void def(String name, Type type, boolean lifecycle, Extractor ex, String doc) {
        DEFS.put(name, new Def(name, type, Arg.NONE, lifecycle, ex, doc));
    }

    private static void defArg(String name, Type type, Arg arg, boolean lifecycle, Extractor ex, String doc) {
        DEFS.put(name, new Def(name, type, arg, lifecycle, ex, doc));
    }

    /** Every field taskscope fills, for docs and --help. */
    static Map<String, Def> all() {
        return Collections.unmodifiableMap(DEFS);
    }

    /** A field reference resolved: {@code evt.arg.flags} is evt.arg with the argument "flags". */
    record Ref(Def def, String arg) {
        Object value(EventContext c) {
            return def.ex.get(c, arg);
        }

        String label() {
            return def.arg == Arg.NAME && arg != null && !Character.isDigit(arg.charAt(0)) ? def.name + "." + arg
                    : arg == null ? def.name : def.name + "[" + arg + "]";
        }
    }

    /** What a field name is: supported (a Ref), a Falco field taskscope cannot fill, or no field at all. */
    sealed interface Lookup permits Found, Unsupported, Unknown {}

    record Found(Ref ref) implements Lookup {}

    record Unsupported(String reason) implements Lookup {}

    record Unknown(String reason) implements Lookup {}

    static Lookup lookup(String name, String arg) {
        Def d = DEFS.get(name);
        String a = arg;
        if (d == null && (name.startsWith("evt.arg.") || name.startsWith("evt.rawarg."))) {
            if (name.startsWith("evt.rawarg.")) return new Unsupported("raw argument values are not kept; use evt.arg." + name.substring(11));
            d = DEFS.get("evt.arg");
            a = name.substring("evt.arg.".length());
        }
        if (d == null) {
            int dot = name.indexOf('.');
            String cls = dot < 0 ? name : name.substring(0, dot);
            if (FALCO_CLASSES.contains(cls)) {
                return new Unsupported(cls.equals("k8s") || cls.equals("ka") || cls.equals("k8smeta")
                        ? "no Kubernetes metadata on this engine" : "not available to a ptrace and procfs engine");
            }
            return new Unknown("unknown field '" + name + "'");
        }
        switch (d.arg) {
            case NONE -> {
                if (a != null) return new Unknown("field " + name + " takes no argument");
            }
            case INDEX -> {
                if (a != null && !a.matches("\\d{1,2}")) return new Unknown(name + "[" + a + "]: the argument must be a number");
            }
            case NAME -> {
                if (a == null || a.isEmpty()) return new Unknown(name + " needs an argument: evt.arg.NAME or evt.arg[N]");
            }
        }
        return new Found(new Ref(d, a));
    }

    // ------------------------------------------------------------------ helpers

    private static Boolean openMode(EventContext c, boolean read) {
        if (!c.isOpen()) return c.type == null ? null : false;
        String f = c.flags();
        if (f == null) return null;
        boolean rdwr = f.contains("O_RDWR");
        if (read) return rdwr || f.contains("O_RDONLY") || !(f.contains("O_WRONLY"));
        return rdwr || f.contains("O_WRONLY");
    }

    private static boolean dirFlag(EventContext c) {
        if (c.event instanceof FileChangeEvent fc) return fc.directory();
        String f = c.flags();
        return f != null && f.contains("O_DIRECTORY");
    }

    private static boolean peer(EventContext c, boolean source) {
        SyscallEvent s = c.syscall();
        if (s == null) return false;
        SyscallArgs.SockAddr a = c.sockaddr();
        if (a == null || a.ip() == null) return false;
        boolean accepted = s.syscall().startsWith("accept") || s.syscall().equals("recvfrom");
        return source == accepted;
    }

    static String clock(long nanos) {
        Instant i = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        var t = i.atOffset(ZoneOffset.UTC).toLocalTime();
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%09d", t.getHour(), t.getMinute(), t.getSecond(), t.getNano());
    }

    private static Long number(String s) {
        try {
            return s == null ? null : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String dirname(String p) {
        if (p == null) return null;
        int i = p.lastIndexOf('/');
        return i < 0 ? null : i == 0 ? "/" : p.substring(0, i);
    }

    static String basename(String p) {
        if (p == null) return null;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static String comm(ProcessTree.Proc p) {
        return p == null ? null : p.comm;
    }

    private static String exe(ProcessTree.Proc p) {
        return p == null ? null : p.exe;
    }

    private static String argv0(ProcessTree.Proc p) {
        return p == null || p.argv == null || p.argv.isEmpty() ? null : p.argv.get(0);
    }

    private static String args(ProcessTree.Proc p) {
        if (p == null || p.argv == null) return null;
        return p.argv.size() <= 1 ? "" : String.join(" ", p.argv.subList(1, p.argv.size()));
    }

    private static String cmdline(ProcessTree.Proc p) {
        if (p == null || p.comm == null) return null;
        String a = args(p);
        return a == null || a.isEmpty() ? p.comm : p.comm + " " + a;
    }

    private static ProcessTree.Proc ancestor(EventContext c, int n) {
        ProcessTree.Proc p = c.proc;
        for (int i = 0; i < n && p != null; i++) p = c.tree.parent(p);
        return p;
    }

    private static <T> List<T> ancestors(EventContext c, java.util.function.Function<ProcessTree.Proc, T> f) {
        List<T> out = new ArrayList<>();
        ProcessTree.Proc p = c.proc == null ? null : c.tree.parent(c.proc);
        for (int i = 0; i < 64 && p != null; i++) {
            T v = f.apply(p);
            if (v != null) out.add(v);
            p = c.tree.parent(p);
        }
        return out;
    }

    private static String caps(long mask) {
        List<String> names = Capability.names(mask);
        StringBuilder b = new StringBuilder();
        for (String n : names) {
            if (b.length() > 0) b.append(' ');
            b.append(n.startsWith("cap_") && n.length() > 4 && Character.isDigit(n.charAt(4)) ? n.toUpperCase(Locale.ROOT)
                    : "CAP_" + n.toUpperCase(Locale.ROOT));
        }
        return b.toString();
    }

    private static String orNumber(String name, int id) {
        return name != null ? name : Integer.toString(id);
    }

    private static RuleEnv.ContainerMeta meta(EventContext c) {
        String n = c.container();
        return n == null ? null : c.env.container(n);
    }
}
