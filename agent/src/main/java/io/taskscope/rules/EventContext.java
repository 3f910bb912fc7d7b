package io.taskscope.rules;

import io.taskscope.event.Event;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SignalEvent;
import io.taskscope.event.SyscallEvent;
import java.util.List;

/**
 * One event as rules see it: its Falco event type, its process in the {@link ProcessTree}, and the
 * environment. Built once per event on the rules thread; fields are computed when a rule asks.
 */
public final class EventContext {
    final Event event;
    final String type;
    final ProcessTree.Proc proc;
    final ProcessTree tree;
    final RuleEnv env;
    final long num;

    EventContext(Event event, String type, ProcessTree.Proc proc, ProcessTree tree, RuleEnv env, long num) {
        this.event = event;
        this.type = type;
        this.proc = proc;
        this.tree = tree;
        this.env = env;
        this.num = num;
    }

    /**
     * The Falco event type an event stands for, or null when rules do not see it: a process start is
     * {@code clone}, an exec {@code execve}, an exit {@code procexit}, a delivered signal
     * {@code signaldeliver}; a process found traced by a neighbour (TracerPid) is that neighbour's {@code ptrace};
     * a file change from inotify is the call that made it ({@code open} for a created, modified or opened file,
     * {@code rename} for one moved in, {@code unlink}); a syscall is its name, except a
     * successful execve, which the exec process event already stands for (rules would see it twice).
     */
    public static String typeOf(Event e) {
        if (e instanceof SyscallEvent s) {
            if (!s.failed() && (s.syscall().equals("execve") || s.syscall().equals("execveat"))) return null;
            return s.syscall();
        }
        if (e instanceof ProcessEvent p) {
            return switch (p.kind()) {
                case START -> "clone";
                case EXEC -> "execve";
                case EXIT -> "procexit";
                case TRACED -> "ptrace"; // the /proc scan saw a TracerPid: the tracer's ptrace, seen without a stop
                case THREAD_EXIT -> null; // only taskscope trace asks for these; the agent never sees one
            };
        }
        if (e instanceof SignalEvent sg) return sg.kind() == SignalEvent.Kind.DELIVERED ? "signaldeliver" : null;
        if (e instanceof FileChangeEvent f) {
            return switch (f.kind()) {
                case CREATE, MODIFY, OPEN -> "open";
                case MOVE_TO -> "rename";
                case DELETE -> "unlink";
                default -> null;
            };
        }
        return null;
    }

    public Event event() {
        return event;
    }

    public String type() {
        return type;
    }

    String container() {
        if (event instanceof SyscallEvent s) return s.container();
        if (event instanceof ProcessEvent p) {
            return p.kind() == ProcessEvent.Kind.TRACED && proc != null && proc.container != null ? proc.container : p.container();
        }
        if (event instanceof SignalEvent s) return s.container();
        if (event instanceof FileChangeEvent f) return f.container();
        return proc == null ? null : proc.container;
    }

    // ------------------------------------------------------------ syscall arguments

    SyscallEvent syscall() {
        return event instanceof SyscallEvent s ? s : null;
    }

    /** A named argument (Falco's name), unquoted; null when the event has none by that name. */
    String arg(String name) {
        SyscallEvent s = syscall();
        if (s != null) {
            if (name.equals("res") || name.equals("fd") && SyscallArgs.RETURNS_FD.contains(s.syscall())) {
                return Long.toString(rawres(s));
            }
            int i = SyscallArgs.index(s.syscall(), name);
            return i < 0 ? null : arg(i);
        }
        if (event instanceof ProcessEvent p && p.kind() == ProcessEvent.Kind.TRACED) {
            return name.equals("pid") ? Integer.toString(p.pid()) : null;
        }
        if (event instanceof ProcessEvent p && p.kind() == ProcessEvent.Kind.EXEC) {
            return switch (name) {
                case "filename", "exe", "pathname" -> p.exe();
                case "res" -> "0";
                default -> null;
            };
        }
        if (event instanceof FileChangeEvent f) {
            return switch (type == null ? "" : type) {
                case "open" -> name.equals("name") ? f.path() : name.equals("flags") ? flags() : null;
                case "rename" -> name.equals("newpath") ? f.path() : null;
                case "unlink" -> name.equals("path") ? f.path() : null;
                default -> null;
            };
        }
        return null;
    }

    String arg(int index) {
        SyscallEvent s = syscall();
        if (s == null || s.args() == null || index < 0 || index >= s.args().size()) return null;
        String v = s.args().get(index);
        if (v.startsWith("\"")) return SyscallArgs.unquote(v);
        return v;
    }

    String args() {
        SyscallEvent s = syscall();
        if (s == null || s.args() == null) return null;
        List<String> names = SyscallArgs.NAMES.get(s.syscall());
        StringBuilder b = new StringBuilder();
        b.append(SyscallArgs.RETURNS_FD.contains(s.syscall()) ? "fd=" : "res=").append(rawres(s));
        for (int i = 0; i < s.args().size(); i++) {
            b.append(' ').append(names != null && i < names.size() ? names.get(i) : "arg" + i).append('=').append(arg(i));
        }
        return b.toString();
    }

    static long rawres(SyscallEvent s) {
        if (!s.failed()) return s.ret();
        int n = io.taskscope.linux.Errno.byName(s.errno());
        return n > 0 ? -n : s.ret();
    }

    /** Open flags as the decoder names them; for an inotify file event, what the change implies. */
    String flags() {
        if (event instanceof SyscallEvent s) return s.flags() != null ? s.flags() : arg("flags");
        if (event instanceof FileChangeEvent f) {
            return f.kind() == FileChangeEvent.Kind.CREATE ? "O_WRONLY|O_CREAT" : f.kind() == FileChangeEvent.Kind.MODIFY ? "O_WRONLY" : null;
        }
        return null;
    }

    boolean isOpen() {
        return type != null && SyscallArgs.OPENS.contains(type);
    }

    /** fd.name: the opened file's absolute path, a unix socket's path; null otherwise. */
    String fdName() {
        if (event instanceof FileChangeEvent f) return type != null && (type.equals("open")) ? f.path() : null;
        SyscallEvent s = syscall();
        if (s == null) return null;
        if (SyscallArgs.OPENS.contains(s.syscall())) {
            if (s.retPath() != null) return s.retPath();
            String dirfd = s.syscall().equals("openat") || s.syscall().equals("openat2") ? arg(0) : "AT_FDCWD";
            if (!"AT_FDCWD".equals(dirfd) && s.path() != null && !s.path().startsWith("/")) return s.path();
            return SyscallArgs.resolve(proc == null ? null : proc.cwd, s.path());
        }
        SyscallArgs.SockAddr a = sockaddr();
        if (a != null) return a.path() != null ? a.path() : null;
        return null;
    }

    SyscallArgs.SockAddr sockaddr() {
        SyscallEvent s = syscall();
        if (s == null) return null;
        int i = SyscallArgs.index(s.syscall(), "addr");
        if (i < 0) i = SyscallArgs.index(s.syscall(), "tuple");
        return i < 0 || s.args() == null || i >= s.args().size() ? null : SyscallArgs.sockaddr(s.args().get(i));
    }

    /** A path argument by Falco's fs.path.* meaning: "name" (single path), "source", "target". */
    String fsPath(String which) {
        if (event instanceof FileChangeEvent f) {
            if (type == null) return null;
            return switch (which) {
                case "name" -> type.equals("rename") ? null : f.path();
                case "target" -> type.equals("rename") ? f.path() : null;
                default -> null;
            };
        }
        SyscallEvent s = syscall();
        if (s == null) return null;
        String sc = s.syscall();
        String cwd = proc == null ? null : proc.cwd;
        return switch (which) {
            case "name" -> switch (sc) {
                case "open", "openat", "openat2", "creat" -> fdName();
                case "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "chmod", "fchmodat", "truncate" ->
                        SyscallArgs.resolve(cwd, s.path());
                default -> null;
            };
            case "source" -> switch (sc) {
                case "rename", "renameat", "renameat2", "link", "linkat" -> resolvedArg(cwd, "oldpath");
                case "symlink", "symlinkat" -> arg("target");
                default -> null;
            };
            case "target" -> switch (sc) {
                case "rename", "renameat", "renameat2", "link", "linkat" -> resolvedArg(cwd, "newpath");
                case "symlink", "symlinkat" -> resolvedArg(cwd, "linkpath");
                default -> null;
            };
            default -> null;
        };
    }

    private String resolvedArg(String cwd, String name) {
        String v = arg(name);
        if (v == null) return null;
        SyscallEvent s = syscall();
        int i = SyscallArgs.index(s.syscall(), name);
        String dirfd = i > 0 ? arg(i - 1) : "AT_FDCWD";
        boolean atCwd = i == 0 || "AT_FDCWD".equals(dirfd) || !(s.syscall().endsWith("at") || s.syscall().endsWith("at2"));
        return atCwd || v.startsWith("/") ? SyscallArgs.resolve(cwd, v) : v;
    }
}
