package io.taskscope.rules;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SignalEvent;
import io.taskscope.event.SyscallEvent;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes rules ask about, like Falco's thread table: fed in event order by the process events
 * (start, exec, exit) and by syscall events, completed from /proc for a process first seen in the middle
 * of its life. A process that exited stays (the last {@value #EXITED_KEPT} of them) so that its children's
 * events, evaluated after it is gone, still find their parent and ancestors. Used by one thread only.
 */
public final class ProcessTree {
    static final int EXITED_KEPT = 4096;
    static final int MAX = 65536;

    /** One process as rules see it; unknown numbers are -1, unknown text null. */
    public static final class Proc {
        public final int pid;
        public int ppid = -1;
        public String comm;
        public String exe;
        public List<String> argv;
        public String cwd;
        public int uid = -1;
        public int gid = -1;
        public long loginuid = -2;
        public long tty = -1;
        public int sid = -1;
        public long capEffective = -1;
        public long startNanos;
        public String container;
        public boolean exited;

        public Proc(int pid) {
            this.pid = pid;
        }

        void inheritFrom(Proc parent) {
            cwd = parent.cwd;
            gid = parent.gid;
            loginuid = parent.loginuid;
            tty = parent.tty;
            sid = parent.sid;
            capEffective = parent.capEffective;
            if (comm == null) comm = parent.comm;
            if (exe == null) exe = parent.exe;
            if (argv == null) argv = parent.argv;
        }
    }

    /** Reads a process from /proc when the events did not introduce it; null when it is gone. */
    @FunctionalInterface
    public interface Loader {
        Proc load(int pid);

        Loader NONE = pid -> null;
    }

    private final Loader loader;
    private final Map<Integer, Proc> procs = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Proc> eldest) {
            return size() > MAX;
        }
    };
    private final ArrayDeque<Proc> exited = new ArrayDeque<>();

    public ProcessTree(Loader loader) {
        this.loader = loader;
    }

    /** The process, from the table or else from /proc; null when neither knows it. */
    public Proc get(int pid) {
        if (pid <= 0) return null;
        Proc p = procs.get(pid);
        if (p != null) return p;
        p = loader.load(pid);
        if (p != null) procs.put(pid, p);
        return p;
    }

    public Proc parent(Proc p) {
        return p == null || p.ppid <= 0 || p.ppid == p.pid ? null : get(p.ppid);
    }

    public int size() {
        return procs.size();
    }

    /** Applies what the event says before rules look at it; returns the event's process, or null. */
    public Proc before(Event e) {
        if (e instanceof ProcessEvent pe) return process(pe);
        if (e instanceof SyscallEvent s) {
            Proc p = get(s.pid());
            if (p == null) {
                p = new Proc(s.pid());
                procs.put(s.pid(), p);
            }
            if (s.comm() != null) p.comm = s.comm();
            if (s.uid() >= 0) p.uid = s.uid();
            if (s.container() != null) p.container = s.container();
            if (!s.failed() && (s.syscall().equals("chdir")) && s.path() != null) {
                p.cwd = SyscallArgs.resolve(p.cwd, s.path());
            }
            return p;
        }
        if (e instanceof SignalEvent sg) return get(sg.pid());
        return null;
    }

    /** Applies what must wait until rules have seen the event (an exit). */
    public void after(Event e) {
        if (e instanceof ProcessEvent pe && pe.kind() == ProcessEvent.Kind.EXIT) {
            Proc p = procs.get(pe.pid());
            if (p == null || p.exited) return;
            p.exited = true;
            exited.addLast(p);
            while (exited.size() > EXITED_KEPT) {
                Proc old = exited.removeFirst();
                procs.remove(old.pid, old);
            }
        }
    }

    private Proc process(ProcessEvent e) {
        if (e.kind() == ProcessEvent.Kind.TRACED) {
            // the event is about the tracee; the rule's process is the tracer (the one that called ptrace)
            return e.tracerPid() == null ? null : get(e.tracerPid());
        }
        Proc p;
        if (e.kind() == ProcessEvent.Kind.START) {
            p = new Proc(e.pid());
            p.ppid = e.ppid();
            p.startNanos = e.timeNanos();
            Proc parent = procs.get(e.ppid());
            if (parent != null) p.inheritFrom(parent);
            procs.put(e.pid(), p); // a reused PID replaces the old process
        } else {
            p = procs.get(e.pid());
            if (p == null) {
                p = loader.load(e.pid());
                if (p == null) p = new Proc(e.pid());
                procs.put(e.pid(), p);
            }
            if (e.ppid() > 0) p.ppid = e.ppid();
        }
        if (e.kind() != ProcessEvent.Kind.EXIT) {
            if (e.comm() != null) p.comm = e.comm();
            if (e.exe() != null) p.exe = e.exe();
            if (e.argv() != null) p.argv = e.argv();
        }
        if (e.uid() >= 0) p.uid = e.uid();
        if (e.gid() >= 0) p.gid = e.gid();
        if (e.cwd() != null && e.kind() != ProcessEvent.Kind.EXIT) p.cwd = e.cwd();
        if (e.container() != null) p.container = e.container();
        return p;
    }
}
