package io.taskscope.task;

import io.taskscope.proc.NsType;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcessInfo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Namespaces of the task, lsns-style, and per container which ones it shares with the monitor:
 * the view that tells {@code pidMode: task} (pid shared, mnt separate) from {@code --pid=host}
 * and from a container that shares nothing.
 *
 * @param namespaces one entry per namespace seen, by type then inode
 * @param monitor    the monitor's own namespaces
 * @param containers per container: its main process's namespaces compared with the monitor's
 */
public record NamespaceReport(List<Namespace> namespaces, Map<NsType, Long> monitor, List<ContainerNamespaces> containers) {

    /**
     * One namespace.
     *
     * @param type       its type
     * @param inode      its inode (the number in {@code pid:[...]})
     * @param processes  how many listed processes are in it
     * @param pid        the main process of a container in it (the lowest such PID), so that a container has one PID in
     *                   both of ns's tables; the lowest PID in it (what lsns prints) when no container's main
     *                   process is in it. They differ when infrastructure (ECS Exec's agent) sits in a container
     * @param command    that process's command
     * @param containers names of the containers with a process in it
     * @param monitor    whether the monitor is in it
     */
    public record Namespace(NsType type, long inode, int processes, int pid, String command, List<String> containers,
                            boolean monitor) {}

    /**
     * @param container the container's name
     * @param pid       its main process, whose namespaces are compared
     * @param shared    per type: true when it is the monitor's namespace; types unreadable are absent
     */
    public record ContainerNamespaces(String container, int pid, Map<NsType, Boolean> shared, Map<NsType, Long> inodes) {}

    public static NamespaceReport of(Task task) {
        ProcReader r = new ProcReader(task.proc());
        Map<NsType, Long> mine = r.namespaces(task.selfPid());
        Map<String, Namespace> seen = new LinkedHashMap<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, Set<String>> names = new LinkedHashMap<>();
        Map<String, ProcessInfo> first = new LinkedHashMap<>();
        Set<Integer> isMain = new java.util.HashSet<>();
        for (ProcessInfo p : task.processes()) {
            if (p.kernelThread()) continue;
            Map<NsType, Long> ns = r.namespaces(p.pid());
            for (Map.Entry<NsType, Long> e : ns.entrySet()) {
                String key = e.getKey().ordinal() + ":" + e.getValue();
                counts.computeIfAbsent(key, k -> new int[1])[0]++;
                first.putIfAbsent(key, p);
                task.containerOf(p.pid()).ifPresent(c -> names.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(c.name()));
                seen.putIfAbsent(key, null);
            }
        }
        // a container's main process names the namespaces it is in, as the container table names it
        for (Container c : task.containers()) {
            Optional<ProcessInfo> main = task.process(c.mainPid());
            if (main.isEmpty()) continue;
            for (Map.Entry<NsType, Long> e : r.namespaces(c.mainPid()).entrySet()) {
                String key = e.getKey().ordinal() + ":" + e.getValue();
                ProcessInfo now = first.get(key);
                if (now == null || !isMain.contains(now.pid()) || main.get().pid() < now.pid()) first.put(key, main.get());
                isMain.add(main.get().pid());
            }
        }
        List<Namespace> out = new ArrayList<>();
        for (String key : seen.keySet()) {
            int colon = key.indexOf(':');
            NsType type = NsType.values()[Integer.parseInt(key.substring(0, colon))];
            long inode = Long.parseLong(key.substring(colon + 1));
            ProcessInfo p = first.get(key);
            out.add(new Namespace(type, inode, counts.get(key)[0], p.pid(), p.command(),
                    List.copyOf(names.getOrDefault(key, Set.of())), Long.valueOf(inode).equals(mine.get(type))));
        }
        out.sort((a, b) -> a.type() != b.type() ? a.type().compareTo(b.type()) : Long.compare(a.inode(), b.inode()));

        List<ContainerNamespaces> cs = new ArrayList<>();
        for (Container c : task.containers()) {
            Map<NsType, Long> ns = r.namespaces(c.mainPid());
            Map<NsType, Boolean> shared = new EnumMap<>(NsType.class);
            for (Map.Entry<NsType, Long> e : ns.entrySet()) {
                Long m = mine.get(e.getKey());
                if (m != null) shared.put(e.getKey(), m.equals(e.getValue()));
            }
            cs.add(new ContainerNamespaces(c.name(), c.mainPid(), shared, ns));
        }
        return new NamespaceReport(out, mine, cs);
    }
}
