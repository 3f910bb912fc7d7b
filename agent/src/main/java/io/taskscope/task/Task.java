package io.taskscope.task;

import io.taskscope.TaskscopeException;
import io.taskscope.proc.CgroupEntry;
import io.taskscope.proc.FileId;
import io.taskscope.proc.ProcPath;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.proc.ProcessTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The task as the monitor sees it: every process, grouped into containers, with roles.
 *
 * <p>Grouping, in order: (1) ECS Task Metadata v4, when {@code $ECS_CONTAINER_METADATA_URI_V4} is
 * set, matched to processes by their cgroup paths ({@link CgroupShapes}); (2) for the rest, one
 * group per mount namespace plus root directory, named after its oldest process. Zombies and
 * processes whose namespace cannot be read join their parent's container. Kernel threads belong
 * to none.
 */
public final class Task {
    private final ProcPath proc;
    private final ProcessTable table;
    private final Optional<EcsTaskMetadata> metadata;
    private final List<String> warnings;
    private final List<Container> containers;
    private final Map<Integer, Container> byPid;
    private final Map<Integer, Role> roles;
    private UserNames users;

    private Task(ProcPath proc, ProcessTable table, Optional<EcsTaskMetadata> metadata, List<String> warnings,
                 List<Container> containers, Map<Integer, Container> byPid, Map<Integer, Role> roles) {
        this.proc = proc;
        this.table = table;
        this.metadata = metadata;
        this.warnings = warnings;
        this.containers = containers;
        this.byPid = byPid;
        this.roles = roles;
    }

    /** A snapshot of the system's {@code /proc}, with ECS metadata when the environment offers it. */
    public static Task snapshot() {
        List<String> warnings = new ArrayList<>();
        Optional<EcsMetadataClient> ecs;
        try {
            ecs = EcsMetadataClient.fromEnvironment();
        } catch (TaskscopeException e) {
            warnings.add(e.oneLine());
            ecs = Optional.empty();
        }
        return snapshot(ProcPath.system(), ecs, EngineClient.find(System.getenv()), warnings);
    }

    /**
     * A snapshot of {@code proc}; metadata is fetched from {@code ecs} when given, and a failure
     * becomes a warning (grouping falls back to namespaces), never an error.
     */
    public static Task snapshot(ProcPath proc, Optional<EcsMetadataClient> ecs) {
        return snapshot(proc, ecs, Optional.empty(), new ArrayList<>());
    }

    /** As {@link #snapshot(ProcPath, Optional)}, naming containers through {@code engine} off ECS (a failure is a warning). */
    public static Task snapshot(ProcPath proc, Optional<EcsMetadataClient> ecs, Optional<? extends EngineNames> engine) {
        return snapshot(proc, ecs, engine, new ArrayList<>());
    }

    private static Task snapshot(ProcPath proc, Optional<EcsMetadataClient> ecs, Optional<? extends EngineNames> engine,
                                 List<String> warnings) {
        ProcessTable table = ProcessTable.snapshot(proc);
        Optional<EcsTaskMetadata> metadata = Optional.empty();
        if (ecs.isPresent()) {
            try {
                metadata = Optional.of(fetchMetadata(ecs.get(), proc));
            } catch (TaskscopeException e) {
                warnings.add(e.oneLine());
            }
        }
        return of(proc, table, metadata, engine, warnings);
    }

    /**
     * The task's metadata; when our own cgroup path names none of its containers (a private cgroup
     * namespace shows us {@code 0::/}), also which container is ours, from the container endpoint.
     */
    public static EcsTaskMetadata fetchMetadata(EcsMetadataClient ecs, ProcPath proc) {
        EcsTaskMetadata m = ecs.task();
        List<CgroupEntry> own = new ProcReader(proc).cgroups(proc.selfPid());
        if (m.containers().stream().anyMatch(c -> CgroupShapes.names(own, c.dockerId()))) return m;
        try {
            String id = ecs.selfDockerId();
            return m.container(id).isPresent() ? m.withSelf(id) : m;
        } catch (TaskscopeException e) {
            return m; // our container is still marked self, named after its oldest process
        }
    }

    /** Groups an existing process table, without asking a container engine. */
    public static Task of(ProcPath proc, ProcessTable table, Optional<EcsTaskMetadata> metadata, List<String> warnings) {
        return of(proc, table, metadata, Optional.empty(), warnings);
    }

    /** Groups an existing process table; {@code engine} names containers off ECS (a failure is a warning). */
    public static Task of(ProcPath proc, ProcessTable table, Optional<EcsTaskMetadata> metadata, Optional<? extends EngineNames> engine,
                          List<String> incoming) {
        List<String> warnings = new ArrayList<>(incoming);
        int selfPid = table.selfPid();
        ProcReader reader = new ProcReader(proc);
        long selfMnt = table.get(selfPid).map(ProcessInfo::mntNs).filter(v -> v != 0)
                .orElseGet(() -> reader.namespace(selfPid, io.taskscope.proc.NsType.MNT).orElse(0));

        Map<Integer, Role> roles = new HashMap<>();
        for (ProcessInfo p : table.processes()) roles.put(p.pid(), roleOf(p, selfPid, proc, reader));

        // pid -> group key; LinkedHashMap keeps groups in order of their first (lowest) PID.
        Map<Integer, String> keyOf = new HashMap<>();
        Map<String, EcsTaskMetadata.EcsContainer> ecsByKey = new HashMap<>();
        Optional<EcsTaskMetadata.EcsContainer> own = metadata.flatMap(m -> m.selfDockerId().flatMap(m::container));
        for (ProcessInfo p : table.processes()) {
            if (roles.get(p.pid()) == Role.KERNEL) continue;
            if (metadata.isPresent()) {
                List<CgroupEntry> cgroups = reader.cgroups(p.pid());
                for (EcsTaskMetadata.EcsContainer c : metadata.get().containers()) {
                    if (CgroupShapes.names(cgroups, c.dockerId())) {
                        String key = "ecs:" + c.name();
                        keyOf.put(p.pid(), key);
                        ecsByKey.put(key, c);
                        break;
                    }
                }
                // Our own container, when a private cgroup namespace hides its path from us.
                if (!keyOf.containsKey(p.pid()) && own.isPresent() && selfMnt != 0 && p.mntNs() == selfMnt) {
                    keyOf.put(p.pid(), "ecs:" + own.get().name());
                    ecsByKey.put("ecs:" + own.get().name(), own.get());
                }
                if (keyOf.containsKey(p.pid())) continue;
            }
            if (p.mntNs() != 0) keyOf.put(p.pid(), "mnt:" + p.mntNs() + ":" + p.root().map(FileId::toString).orElse("?"));
        }
        // Zombies and unreadable processes: their parent's container, when it has one.
        for (ProcessInfo p : table.processes()) {
            if (keyOf.containsKey(p.pid()) || roles.get(p.pid()) == Role.KERNEL) continue;
            Set<Integer> seen = new HashSet<>();
            int parent = p.ppid();
            while (parent > 0 && seen.add(parent) && !keyOf.containsKey(parent)) {
                parent = table.get(parent).map(ProcessInfo::ppid).orElse(0);
            }
            if (keyOf.containsKey(parent)) keyOf.put(p.pid(), keyOf.get(parent));
        }

        Map<String, List<ProcessInfo>> members = new LinkedHashMap<>();
        for (ProcessInfo p : table.processes()) {
            String key = keyOf.get(p.pid());
            if (key != null) members.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }

        Comparator<ProcessInfo> age = Comparator.comparingLong(ProcessInfo::startTicks).thenComparingInt(ProcessInfo::pid);
        Map<String, Identity> identities = identify(proc, reader, members, ecsByKey, age, engine, warnings);
        members = mergeById(members, identities);
        List<Container> containers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        // Names in order of authority, so that a weaker source never takes a stronger one's name: ECS metadata,
        // then the engine, then short IDs, then (no ID known at all) process names.
        Map<String, String> nameOf = new HashMap<>();
        for (Container.Source source : Container.Source.values()) {
            for (String key : members.keySet()) {
                Identity id = identities.get(key);
                if (id.source() == source) nameOf.put(key, unique(names, id.name()));
            }
        }
        for (Map.Entry<String, List<ProcessInfo>> e : members.entrySet()) {
            List<ProcessInfo> ps = e.getValue();
            ProcessInfo oldest = ps.stream().min(age).orElseThrow();
            ProcessInfo main = ps.stream().filter(p -> roles.get(p.pid()) == Role.APP).min(age).orElse(oldest);
            boolean self = ps.stream().anyMatch(p -> p.pid() == selfPid || p.mntNs() != 0 && p.mntNs() == selfMnt);
            boolean allInfra = ps.stream().allMatch(p -> roles.get(p.pid()).infrastructure() && roles.get(p.pid()) != Role.SELF);
            Identity id = identities.get(e.getKey());
            List<Integer> pids = ps.stream().map(ProcessInfo::pid).toList();
            EcsTaskMetadata.EcsContainer ecs = ecsByKey.get(e.getKey());
            boolean infra = (ecs != null && ecs.pause()) || allInfra || self;
            containers.add(new Container(nameOf.get(e.getKey()), id.id(), id.image(), id.source(), self, infra,
                    oldest.mntNs(), oldest.root(), pids, main.pid(), id.hostname()));
        }
        containers.sort(Comparator.comparingInt(Container::mainPid));
        Map<Integer, Container> byPid = new HashMap<>();
        for (Container c : containers) for (int pid : c.pids()) byPid.put(pid, c);
        return new Task(proc, table, metadata, List.copyOf(warnings), List.copyOf(containers), byPid, roles);
    }

    /**
     * One container per container ID: a process of a container that runs in another root (a chroot) is
     * still that container's. Lists stay by ascending PID, groups in order of their first PID.
     */
    private static Map<String, List<ProcessInfo>> mergeById(Map<String, List<ProcessInfo>> members, Map<String, Identity> identities) {
        Map<String, String> keyOfId = new HashMap<>();
        Map<String, List<ProcessInfo>> merged = new LinkedHashMap<>();
        for (Map.Entry<String, List<ProcessInfo>> e : members.entrySet()) {
            Identity id = identities.get(e.getKey());
            String into = id.source() == Container.Source.NAMESPACE ? e.getKey() : keyOfId.computeIfAbsent(id.id(), k -> e.getKey());
            merged.computeIfAbsent(into, k -> new ArrayList<>()).addAll(e.getValue());
        }
        for (List<ProcessInfo> ps : merged.values()) ps.sort(Comparator.comparingInt(ProcessInfo::pid));
        return merged;
    }

    /** Where a group's name and ID come from. */
    private record Identity(Container.Source source, String name, String id, Optional<String> image, Optional<String> hostname) {}

    /**
     * Each group's identity: ECS metadata when it matched; else the container ID its oldest live process shows
     * ({@link ContainerIdentity}), named by the engine's API when a socket is reachable ({@link EngineNames}: asked
     * once, only when some ID is known; the agent's {@link EngineCache} only about IDs it has not seen), else by its short ID; else, with no ID at all (host processes, plain runc ids that are
     * no engine's), its mount namespace and root, named after its oldest process.
     */
    private static Map<String, Identity> identify(ProcPath proc, ProcReader reader, Map<String, List<ProcessInfo>> members,
                                                  Map<String, EcsTaskMetadata.EcsContainer> ecsByKey, Comparator<ProcessInfo> age,
                                                  Optional<? extends EngineNames> engine, List<String> warnings) {
        Map<String, Identity> out = new HashMap<>();
        Map<String, String> cgroupIds = new LinkedHashMap<>();
        for (Map.Entry<String, List<ProcessInfo>> e : members.entrySet()) {
            EcsTaskMetadata.EcsContainer ecs = ecsByKey.get(e.getKey());
            if (ecs != null) {
                out.put(e.getKey(), new Identity(Container.Source.ECS_METADATA, ecs.name(), ecs.dockerId(),
                        ecs.image().isEmpty() ? Optional.empty() : Optional.of(ecs.image()), Optional.empty()));
                continue;
            }
            Optional<ProcessInfo> live = e.getValue().stream().filter(p -> !p.zombie()).min(age);
            Optional<String> id = live.flatMap(p -> ContainerIdentity.id(reader, p.pid()));
            if (id.isPresent()) cgroupIds.put(e.getKey(), id.get());
        }
        Map<String, EngineContainer> named = engine.isPresent() && !cgroupIds.isEmpty()
                ? engine.get().names(List.copyOf(new java.util.LinkedHashSet<>(cgroupIds.values())), warnings) : Map.of();
        for (Map.Entry<String, List<ProcessInfo>> e : members.entrySet()) {
            if (out.containsKey(e.getKey())) continue;
            List<ProcessInfo> ps = e.getValue();
            ProcessInfo oldest = ps.stream().min(age).orElseThrow();
            String id = cgroupIds.get(e.getKey());
            if (id == null) {
                String fallback = "mnt:" + oldest.mntNs() + oldest.root().map(r -> ":" + r).orElse("");
                out.put(e.getKey(), new Identity(Container.Source.NAMESPACE,
                        oldest.comm().isBlank() ? "pid" + oldest.pid() : oldest.comm(), fallback, Optional.empty(), Optional.empty()));
                continue;
            }
            int hostPid = ps.stream().filter(p -> !p.zombie()).min(age).orElse(oldest).pid();
            Optional<String> hostname = ContainerIdentity.hostname(proc, hostPid);
            EngineContainer c = named.get(id);
            if (c != null) {
                out.put(e.getKey(), new Identity(Container.Source.ENGINE, c.name(), c.id(),
                        c.image().isEmpty() ? Optional.empty() : Optional.of(c.image()), hostname));
            } else {
                out.put(e.getKey(), new Identity(Container.Source.CGROUP, CgroupShapes.shortId(id), id, Optional.empty(), hostname));
            }
        }
        return out;
    }

    private static String unique(Set<String> taken, String name) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate); i++) candidate = name + "-" + i;
        return candidate;
    }

    static Role roleOf(ProcessInfo p, int selfPid, ProcPath proc, ProcReader reader) {
        if (p.kernelThread()) return Role.KERNEL;
        if (p.pid() == selfPid) return Role.SELF;
        String program = p.program();
        // Only a process that claims the role is checked (no exe read for the others): one that runs the agent
        // under another argv[0] is merely traced as an application process, which hides nothing.
        if (program.startsWith("/managed-agents/")) {
            return genuineAgent(p, program, selfPid, proc, reader) ? Role.AGENT : Role.APP;
        }
        boolean pauseName = p.comm().equals("pause") || program.equals("/pause") || program.endsWith("/pause");
        if (pauseName && p.innermostPid() == 1) return Role.PAUSE;
        // Podman's pod infra container: catatonit in pause mode, PID 1 of the pod's shared namespace.
        boolean catatonit = p.comm().equals("catatonit") && p.cmdline().contains("-P");
        if (catatonit && p.innermostPid() == 1) return Role.PAUSE;
        if (engineInit(p)) return Role.INIT;
        return Role.APP;
    }

    /**
     * The init an engine injects ({@code docker run --init}: {@code /sbin/docker-init -- CMD}, podman's
     * {@code /run/podman-init -- CMD}): started by the runtime as its container's first process, so PID 1 of
     * its namespace or with a parent outside ours. Its children (the workload) stay application processes.
     */
    static boolean engineInit(ProcessInfo p) {
        List<String> argv = p.cmdline();
        if (argv.size() < 2 || !argv.get(1).equals("--")) return false;
        String program = argv.get(0);
        boolean init = program.equals("/sbin/docker-init") || program.equals("/run/podman-init") || program.equals("/dev/init");
        return init && (p.innermostPid() == 1 || p.ppid() == 0);
    }

    /**
     * Whether a process that claims to be ECS Exec's agent (argv[0] or exe under /managed-agents/) runs the
     * real one. Agents are never traced, so the claim alone would let any process hide by its name. ECS
     * bind-mounts the agent's binaries from the host into every container of the task, ours included:
     * the real one is the very file (device and inode) at that path in our own root. A look-alike
     * dropped into a neighbour's filesystem is another file, and with ECS Exec off there is none in ours.
     */
    static boolean genuineAgent(ProcessInfo p, String program, int selfPid, ProcPath proc, ProcReader reader) {
        String claimed = reader.link(p.pid(), "exe").filter(e -> e.startsWith("/managed-agents/")).orElse(program);
        Object theirs = identity(proc.file(p.pid(), "exe"));
        Object ours = identity(proc.file(selfPid, "root").resolve(claimed.substring(1)));
        return theirs != null && theirs.equals(ours);
    }

    private static Object identity(java.nio.file.Path file) {
        try {
            var a = java.nio.file.Files.readAttributes(file, "unix:dev,ino");
            return List.of(a.get("dev"), a.get("ino"));
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    public ProcPath proc() {
        return proc;
    }

    public ProcessTable table() {
        return table;
    }

    /** Every process, by ascending PID. */
    public List<ProcessInfo> processes() {
        return table.processes();
    }

    public Optional<ProcessInfo> process(int pid) {
        return table.get(pid);
    }

    /** Containers, ordered by their main process's PID. */
    public List<Container> containers() {
        return containers;
    }

    /** The container of a process; empty for kernel threads and processes we could not place. */
    public Optional<Container> containerOf(int pid) {
        return Optional.ofNullable(byPid.get(pid));
    }

    /** The container of that name, also when given as taskscope prints it (escaped: {@code \x1b[2J}). */
    public Optional<Container> container(String name) {
        Optional<Container> exact = containers.stream().filter(c -> c.name().equals(name)).findFirst();
        if (exact.isPresent() || name.indexOf('\\') < 0) return exact;
        String unescaped = io.taskscope.text.Escape.unescape(name);
        return containers.stream().filter(c -> c.name().equals(unescaped)).findFirst();
    }

    /** The processes of a container, by ascending PID. */
    public List<ProcessInfo> members(Container c) {
        List<ProcessInfo> out = new ArrayList<>(c.pids().size());
        for (int pid : c.pids()) table.get(pid).ifPresent(out::add);
        return Collections.unmodifiableList(out);
    }

    public Role role(int pid) {
        return roles.getOrDefault(pid, Role.APP);
    }

    /** The monitor's PID (this JVM) in the listed PID namespace. */
    public int selfPid() {
        return table.selfPid();
    }

    /** The monitor's own container. */
    public Optional<Container> self() {
        return containers.stream().filter(Container::self).findFirst();
    }

    /** ECS Task Metadata, when it was fetched. */
    public Optional<EcsTaskMetadata> metadata() {
        return metadata;
    }

    /** Why grouping fell back (e.g. a malformed metadata reply): one line each, for stderr. */
    public List<String> warnings() {
        return warnings;
    }

    /** User and group names through each process's own /etc (cached per root). */
    public UserNames users() {
        if (users == null) users = new UserNames(proc);
        return users;
    }

    /** Names of the containers, for error messages ("known: web, app, monitor"), escaped for a terminal. */
    public String containerNames() {
        return containers.isEmpty() ? "(none)"
                : String.join(", ", containers.stream().map(c -> io.taskscope.text.Escape.text(c.name())).toList());
    }
}
