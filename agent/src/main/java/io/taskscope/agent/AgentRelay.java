package io.taskscope.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.event.Event;
import io.taskscope.event.EventJsonReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code taskscope trace} through a running agent. A process has one tracer: when the agent traces
 * the target, a second attach fails with EPERM; instead, the trace command subscribes to the agent's
 * events for the target with the user's own filter, through the control socket.
 *
 * <pre>
 * Optional&lt;AgentRelay&gt; relay = AgentRelay.tracing(pids, ControlClient.defaultSocket());
 * relay.get().stream(Subscription.of(pids, List.of(), follow, expressions, List.of("syscall", "process")), sink);
 * </pre>
 *
 * What the user sees is what the agent traces, narrowed by the user's filter: a syscall outside the
 * agent's own filter (TASKSCOPE_FILTER) cannot appear, and strings are cut at the agent's limit.
 */
public final class AgentRelay implements AutoCloseable {
    private final ControlClient client;
    private final long agentPid;
    private final List<String> agentFilter;

    private AgentRelay(ControlClient client, long agentPid, List<String> agentFilter) {
        this.client = client;
        this.agentPid = agentPid;
        this.agentFilter = List.copyOf(agentFilter);
    }

    /**
     * The agent listening on {@code socket}, when it is the tracer of every one of {@code pids}; empty
     * when no agent listens, or a pid is untraced or traced by someone else (then attaching normally
     * gives the user the right error).
     */
    public static Optional<AgentRelay> tracing(List<Integer> pids, Path socket) {
        if (pids.isEmpty()) return Optional.empty();
        for (int pid : pids) if (tracerTid(pid) <= 0) return Optional.empty();
        Optional<ControlClient> c = ControlClient.connect(socket, 1000);
        if (c.isEmpty()) return Optional.empty();
        try {
            JsonNode h = c.get().request(ControlClient.command("health"), 2000);
            long agentPid = h.path("pid").asLong(-1);
            for (int pid : pids) {
                // TracerPid names the tracer thread (a tid): it must be one of the agent's threads
                if (!Files.exists(io.taskscope.proc.ProcPath.system().file((int) agentPid, "task/" + tracerTid(pid)))) {
                    c.get().close();
                    return Optional.empty();
                }
            }
            List<String> agentFilter = new java.util.ArrayList<>();
            h.path("filter").forEach(f -> agentFilter.add(f.asText()));
            return Optional.of(new AgentRelay(reconnect(c.get(), socket), agentPid, agentFilter));
        } catch (RuntimeException e) {
            c.get().close();
            return Optional.empty();
        }
    }

    /** One request per connection: the health check used the first one. */
    private static ControlClient reconnect(ControlClient used, Path socket) {
        used.close();
        return ControlClient.connect(socket, 1000).orElseThrow(() -> io.taskscope.TaskscopeException.runtime(
                "the agent on " + socket + " went away", "run the command again"));
    }

    /** The agent's own filter (TASKSCOPE_FILTER): a relay never shows a syscall outside it. */
    public List<String> agentFilter() {
        return agentFilter;
    }

    /**
     * The syscalls {@code wanted} selects that the agent's filter does not: they cannot appear. Empty when
     * the agent's filter is unknown (an older agent) or covers them all.
     */
    public List<String> unseen(io.taskscope.decode.SyscallFilter wanted) {
        if (agentFilter.isEmpty()) return List.of();
        io.taskscope.decode.SyscallTable table = io.taskscope.decode.SyscallTable.current();
        boolean[] theirs;
        try {
            theirs = io.taskscope.decode.SyscallFilter.parse(agentFilter).selection(table);
        } catch (RuntimeException e) {
            return List.of();
        }
        boolean[] ours = wanted.selection(table);
        List<String> out = new java.util.ArrayList<>();
        for (int nr = 0; nr < ours.length && nr < theirs.length; nr++) {
            if (ours[nr] && !theirs[nr]) table.byNumber(nr).ifPresent(sc -> out.add(sc.name()));
        }
        return out;
    }

    /** The agent's PID, for the user's message ("traced by the agent, pid 7"). */
    public long agentPid() {
        return agentPid;
    }

    /**
     * Streams the subscription's events to {@code sink} until the agent ends the stream or
     * {@link #close()} is called (from a signal handler, for instance). Throws a TaskscopeException
     * when the agent refuses the subscription (a bad filter, with strace's message).
     */
    public void stream(Subscription subscription, Consumer<Event> sink) {
        client.subscribe(subscription.toRequest(), line -> EventJsonReader.parse(line).ifPresent(sink));
    }

    @Override
    public void close() {
        client.close();
    }

    /** TracerPid of /proc/PID/status: 0 when untraced, -1 when unreadable. */
    static int tracerTid(int pid) {
        return new io.taskscope.proc.ProcReader(io.taskscope.proc.ProcPath.system()).status(pid)
                .map(io.taskscope.proc.ProcStatus::tracerPid).orElse(-1);
    }
}
