package io.taskscope.agent;

import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcStat;
import io.taskscope.proc.ProcStatus;
import io.taskscope.proc.StatField;
import io.taskscope.rules.ProcessTree;
import io.taskscope.rules.RuleEnv;
import io.taskscope.task.Container;
import io.taskscope.task.Task;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the agent's rules know beyond the event: containers and user names from the latest task snapshot,
 * the host name, and processes first seen in the middle of their life, read from /proc (on the rules
 * thread, never the tracer's).
 */
final class AgentRuleEnv implements RuleEnv, ProcessTree.Loader {
    private static final long CLOCK_TICKS = 100; // USER_HZ on every Linux architecture taskscope runs on

    private final Supplier<Task> task;
    private final java.util.function.IntFunction<String> containerOf;
    private final ProcReader reader;
    private final String hostname;
    private final long bootNanos;

    AgentRuleEnv(Supplier<Task> task, java.util.function.IntFunction<String> containerOf, ProcPath proc) {
        this.task = task;
        this.containerOf = containerOf;
        this.reader = new ProcReader(proc);
        this.hostname = reader.text(proc.global("sys/kernel/hostname")).map(String::trim).filter(s -> !s.isEmpty())
                .orElseGet(() -> Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost"));
        this.bootNanos = reader.text(proc.global("stat")).flatMap(s -> s.lines().filter(l -> l.startsWith("btime "))
                .findFirst()).map(l -> Long.parseLong(l.substring(6).trim()) * 1_000_000_000L).orElse(0L);
    }

    @Override
    public String hostname() {
        return hostname;
    }

    @Override
    public ContainerMeta container(String name) {
        Task t = task.get();
        if (t == null) return null;
        Optional<Container> c = t.container(name);
        // Falco's container.id is the ID as `docker ps` prints it (12 hex digits); other IDs (ECS's) stay whole.
        return c.map(x -> new ContainerMeta(io.taskscope.task.CgroupShapes.shortId(x.id()), x.name(), x.image().orElse(null), null, null))
                .orElse(null);
    }

    @Override
    public String userName(int pid, int uid) {
        Task t = task.get();
        String n = t == null ? null : t.users().user(pid, uid);
        return n == null || n.equals(Integer.toString(uid)) ? null : n;
    }

    @Override
    public String groupName(int pid, int gid) {
        Task t = task.get();
        String n = t == null ? null : t.users().group(pid, gid);
        return n == null || n.equals(Integer.toString(gid)) ? null : n;
    }

    @Override
    public ProcessTree.Proc load(int pid) {
        Optional<ProcStatus> status = reader.status(pid);
        if (status.isEmpty()) return null;
        ProcessTree.Proc p = new ProcessTree.Proc(pid);
        ProcStatus s = status.get();
        p.ppid = s.ppid();
        p.comm = s.name();
        p.uid = s.uid().real();
        p.gid = s.gid().real();
        p.capEffective = s.capEff();
        reader.cmdline(pid).ifPresent(a -> p.argv = a);
        reader.exe(pid).ifPresent(e -> p.exe = e);
        reader.link(pid, "cwd").ifPresent(c -> p.cwd = c);
        reader.text(pid, "loginuid").ifPresent(l -> {
            try {
                long v = Long.parseLong(l.trim());
                p.loginuid = v == 4294967295L ? -1 : v;
            } catch (NumberFormatException ignored) {
                // unknown
            }
        });
        Optional<ProcStat> stat = reader.stat(pid);
        stat.ifPresent(st -> {
            p.tty = st.get(StatField.TTY_NR);
            p.sid = (int) st.get(StatField.SESSION);
            if (bootNanos > 0) p.startNanos = bootNanos + st.get(StatField.STARTTIME) * (1_000_000_000L / CLOCK_TICKS);
        });
        p.container = containerOf.apply(pid);
        return p;
    }
}
