package io.taskscope.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.TaskscopeException;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.decode.SyscallTable;
import io.taskscope.event.DropEvent;
import io.taskscope.event.Event;
import io.taskscope.event.FileChangeEvent;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What a control-socket subscriber asked for: the events of some processes or containers, through
 * its own strace filter. This is how {@code taskscope trace -p PID} works in an ECS Exec session
 * when the agent already traces PID (a process has one tracer; a second attach gets EPERM).
 *
 * <p>The agent's own filter decides what is traced at all: a subscriber sees the intersection.
 *
 * @param pids       processes to follow; with {@code follow}, their children as they start
 * @param containers container names
 * @param filter     strace -e expressions, applied to syscall events
 * @param types      event types wanted ("syscall", "process", "file", "alert")
 */
public record Subscription(Set<Integer> pids, Set<String> containers, boolean follow, List<String> filter,
                           Set<String> types) {
    private static final ObjectMapper JSON = io.taskscope.text.Escape.jsonMapper();
    private static final Set<String> TYPES = Set.of("syscall", "process", "file", "alert");

    public static Subscription of(Collection<Integer> pids, Collection<String> containers, boolean follow,
                                  List<String> filter, Collection<String> types) {
        return new Subscription(Set.copyOf(pids), Set.copyOf(containers), follow, List.copyOf(filter), Set.copyOf(types));
    }

    /** The request line a client sends. */
    public ObjectNode toRequest() {
        ObjectNode r = JSON.createObjectNode().put("cmd", "subscribe");
        r.set("pids", JSON.valueToTree(pids));
        r.set("containers", JSON.valueToTree(containers));
        r.put("follow", follow);
        r.set("filter", JSON.valueToTree(filter));
        r.set("types", JSON.valueToTree(types));
        return r;
    }

    public static Subscription fromRequest(JsonNode r) {
        List<Integer> pids = new ArrayList<>();
        r.path("pids").forEach(p -> {
            if (!p.canConvertToInt() || p.asInt() <= 0) {
                throw TaskscopeException.usage("bad pid '" + p.asText() + "' in subscribe request", "send positive numbers");
            }
            pids.add(p.asInt());
        });
        List<String> containers = new ArrayList<>();
        r.path("containers").forEach(c -> containers.add(c.asText()));
        List<String> filter = new ArrayList<>();
        r.path("filter").forEach(f -> filter.add(f.asText()));
        List<String> types = new ArrayList<>();
        r.path("types").forEach(t -> types.add(t.asText().toLowerCase(Locale.ROOT)));
        if (types.isEmpty()) types.addAll(List.of("syscall", "process"));
        for (String t : types) {
            if (!TYPES.contains(t)) throw TaskscopeException.usage("unknown event type '" + t + "'", "use syscall, process, file or alert");
        }
        return of(pids, containers, r.path("follow").asBoolean(false), filter, types);
    }

    /**
     * A stateful predicate for this subscription (it learns the children of followed processes).
     * Throws a usage error for a bad filter expression, before anything is streamed.
     */
    public Predicate<Event> predicate(SyscallTable table) {
        SyscallFilter f = SyscallFilter.parse(filter);
        boolean[] selected = f.selection(table);
        Set<Integer> followed = ConcurrentHashMap.newKeySet();
        followed.addAll(pids);
        return e -> {
            if (e instanceof DropEvent) return false; // the agent's drops are not the subscriber's; it gets its own
            if (!types.contains(e.type())) return false;
            if (e instanceof ProcessEvent p && follow && p.kind() == ProcessEvent.Kind.START && followed.contains(p.ppid())) {
                followed.add(p.pid());
            }
            if (!pids.isEmpty() || !containers.isEmpty()) {
                int pid = e instanceof SyscallEvent s ? s.pid() : e instanceof ProcessEvent p ? p.pid()
                        : e instanceof FileChangeEvent fc ? fc.pid() : -1;
                String container = containerOf(e);
                boolean mine = followed.contains(pid) || (container != null && containers.contains(container));
                if (!mine) return false;
            }
            if (e instanceof SyscallEvent s) {
                int nr = table.byName(s.syscall()).map(x -> x.number()).orElse(-1);
                if (nr < 0 || nr >= selected.length || !selected[nr]) return false;
                if (s.durationMicros() < 0) return f.showsUnfinished();
                return f.shows(s.failed());
            }
            return true;
        };
    }

    private static String containerOf(Event e) {
        if (e instanceof io.taskscope.event.SyscallEvent s) return s.container();
        if (e instanceof io.taskscope.event.ProcessEvent p) return p.container();
        if (e instanceof io.taskscope.event.SignalEvent s) return s.container();
        if (e instanceof io.taskscope.event.FileChangeEvent f) return f.container();
        if (e instanceof io.taskscope.event.AlertEvent a) return a.container();
        return null;
    }
}
