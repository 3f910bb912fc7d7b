package io.taskscope.doctor;

import io.taskscope.TaskscopeException;
import io.taskscope.linux.Errno;
import io.taskscope.linux.LibC;
import io.taskscope.proc.Capability;
import io.taskscope.proc.ProcReader;
import io.taskscope.proc.ProcStatus;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.task.Container;
import io.taskscope.task.EcsMetadataClient;
import io.taskscope.task.EcsTaskMetadata;
import io.taskscope.task.Role;
import io.taskscope.task.Task;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks of {@code taskscope doctor}: can this container see and trace its neighbours, and
 * if not, what to change. Every check is independent; one failing never hides the others.
 */
public final class Doctor {
    /** PTRACE_GET_SYSCALL_INFO arrived in Linux 5.3. */
    static final int[] MIN_KERNEL = {5, 3};
    private static final String PTRACE_FIX = "add SYS_PTRACE to linuxParameters.capabilities.add of this container in the "
            + "task definition (docker: --cap-add SYS_PTRACE)";

    private final Task task;
    private final ProcReader reader;
    private final Optional<EcsMetadataClient> ecs;

    public Doctor(Task task, Optional<EcsMetadataClient> ecs) {
        this.task = task;
        this.reader = new ProcReader(task.proc());
        this.ecs = ecs;
    }

    /** Runs every check against the system's /proc and environment. */
    public static List<Check> runAll() {
        Optional<EcsMetadataClient> ecs;
        List<Check> early = new ArrayList<>();
        try {
            ecs = EcsMetadataClient.fromEnvironment();
        } catch (TaskscopeException e) {
            early.add(Check.fail("ecs-metadata", e.getMessage(), e.fix()));
            ecs = Optional.empty();
        }
        // A metadata failure only degrades the snapshot's names; the metadata check reports it.
        Task task = Task.snapshot(io.taskscope.proc.ProcPath.system(), ecs, io.taskscope.task.EngineClient.find(System.getenv()));
        List<Check> out = new Doctor(task, ecs).run();
        out.addAll(early);
        return out;
    }

    public List<Check> run() {
        List<Check> out = new ArrayList<>();
        Optional<ProcStatus> self = reader.status(task.selfPid());
        boolean ptrace = self.map(s -> Capability.SYS_PTRACE.in(s.capEff())).orElse(false);
        out.add(pidNamespace(ptrace));
        out.add(capSysPtrace(self));
        out.add(yama(ptrace));
        out.add(seccomp(self));
        out.add(kernel());
        boolean dac = self.map(s -> Capability.DAC_OVERRIDE.in(s.capEff()) || Capability.DAC_READ_SEARCH.in(s.capEff()))
                .orElse(false);
        out.addAll(siblings(ptrace, dac));
        out.add(ecsMetadata());
        out.add(jna());
        return out;
    }

    Check pidNamespace() {
        return pidNamespace(reader.status(task.selfPid()).map(s -> Capability.SYS_PTRACE.in(s.capEff())).orElse(false));
    }

    /** @param ptrace whether CAP_SYS_PTRACE is effective: only then is a missing capability not the cause. */
    Check pidNamespace(boolean ptrace) {
        Container mine = task.self().orElse(null);
        int others = 0;
        List<Integer> unplaced = new ArrayList<>();
        for (ProcessInfo p : task.processes()) {
            if (task.role(p.pid()) == Role.KERNEL || p.pid() == task.selfPid()) continue;
            if (mine != null && mine.pids().contains(p.pid())) continue;
            others++;
            if (task.containerOf(p.pid()).isEmpty()) unplaced.add(p.pid());
        }
        if (others == 0) {
            return Check.fail("pid-namespace", "only this container's processes are visible",
                    "share the PID namespace: pidMode \"task\" in the task definition (docker: --pid=container:NAME, "
                            + "Kubernetes: shareProcessNamespace: true)");
        }
        List<String> names = new ArrayList<>();
        for (Container c : task.containers()) if (!c.self()) names.add(c.name());
        String seen = others + " process" + (others == 1 ? "" : "es") + " outside this container";
        if (!unplaced.isEmpty()) {
            // Their /proc/PID/ns/mnt and root links could not be read: without CAP_SYS_PTRACE that is the cause (the
            // cap-sys-ptrace check says so too); with it, something else refuses (another user namespace, an LSM).
            String what = seen + ", " + unplaced.size() + " of them in no container: their /proc/PID/ns and root links "
                    + "are unreadable" + (ptrace ? " although CAP_SYS_PTRACE is effective" : "") + " (first: pid " + unplaced.get(0) + ")";
            return Check.warn("pid-namespace", what, ptrace
                    ? "those processes are in another user namespace, or an LSM (AppArmor, SELinux) denies ptrace read access; "
                            + "the root:pid check below gives the errno"
                    : PTRACE_FIX);
        }
        return Check.pass("pid-namespace", seen + ", in " + names.size() + " container" + (names.size() == 1 ? "" : "s")
                + " (" + String.join(", ", names) + ")");
    }

    Check capSysPtrace(Optional<ProcStatus> self) {
        if (self.isEmpty()) return Check.fail("cap-sys-ptrace", "cannot read our own /proc/self/status", "mount procfs at /proc");
        if (Capability.SYS_PTRACE.in(self.get().capEff())) return Check.pass("cap-sys-ptrace", "CAP_SYS_PTRACE is effective");
        return Check.fail("cap-sys-ptrace", "CAP_SYS_PTRACE is not effective: attaching to and reading other containers' "
                + "processes will fail with EPERM/EACCES", PTRACE_FIX);
    }

    Check yama(boolean ptrace) {
        Optional<String> scope = reader.text(task.proc().global("sys/kernel/yama/ptrace_scope")).map(String::strip);
        if (scope.isEmpty()) return Check.pass("yama", "Yama not present: no ptrace restriction beyond capabilities");
        return switch (scope.get()) {
            case "0" -> Check.pass("yama", "ptrace_scope 0 (classic): capabilities decide");
            case "1", "2" -> ptrace
                    ? Check.pass("yama", "ptrace_scope " + scope.get() + ": allowed because CAP_SYS_PTRACE is effective")
                    : Check.fail("yama", "ptrace_scope " + scope.get() + " allows attaching only with CAP_SYS_PTRACE", PTRACE_FIX);
            case "3" -> Check.fail("yama", "ptrace_scope 3: ptrace is disabled on this host until reboot",
                    "run on a host with kernel.yama.ptrace_scope <= 2 (not settable from a container)");
            default -> Check.warn("yama", "unknown ptrace_scope '" + scope.get() + "'", null);
        };
    }

    Check seccomp(Optional<ProcStatus> self) {
        int mode = self.map(ProcStatus::seccomp).orElse(-1);
        return switch (mode) {
            case 0 -> Check.pass("seccomp", "no seccomp filter on this container");
            case 2 -> Check.warn("seccomp", "a seccomp filter is active: ptrace, process_vm_readv or openat2 may be refused "
                    + "(Docker's default profile allows ptrace on kernels >= 4.8)",
                    "if tracing fails with EPERM, run this container with an unconfined seccomp profile");
            case 1 -> Check.fail("seccomp", "strict seccomp mode", "run without seccomp strict mode");
            default -> Check.warn("seccomp", "the kernel does not report a seccomp mode", null);
        };
    }

    Check kernel() {
        String release = reader.text(task.proc().global("sys/kernel/osrelease")).map(String::strip).orElse("");
        int[] v = version(release);
        if (v == null) return Check.warn("kernel", "cannot read the kernel version ('" + release + "')", null);
        boolean ok = v[0] > MIN_KERNEL[0] || v[0] == MIN_KERNEL[0] && v[1] >= MIN_KERNEL[1];
        if (ok) return Check.pass("kernel", "Linux " + release + " (>= 5.3: PTRACE_GET_SYSCALL_INFO available)");
        return Check.fail("kernel", "Linux " + release + " is older than 5.3: no PTRACE_GET_SYSCALL_INFO",
                "run on Fargate platform 1.4 or a host with Linux 5.3 or newer");
    }

    static int[] version(String release) {
        String[] parts = release.split("[.-]");
        if (parts.length < 2) return null;
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * @param dac whether CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH is effective: /proc/PID/environ is a
     *            0400 file owned by the process's uid, so without them even root with CAP_SYS_PTRACE
     *            gets EACCES from the file-mode check before ptrace's own check is reached. Docker's
     *            and Fargate's default capability sets have DAC_OVERRIDE; runc's default set does not.
     */
    List<Check> siblings(boolean ptrace, boolean dac) {
        List<Check> out = new ArrayList<>();
        // A process no container could be made for (its namespace links are unreadable): say why, with its errno.
        Container mine = task.self().orElse(null);
        task.processes().stream()
                .filter(p -> task.role(p.pid()) == Role.APP && task.containerOf(p.pid()).isEmpty()
                        && (mine == null || !mine.pids().contains(p.pid())))
                .findFirst()
                .ifPresent(p -> out.add(access("root:pid" + p.pid(), p.comm() + " (pid " + p.pid() + ", no container)",
                        task.proc().file(p.pid(), "root").toString(), () -> {
                            try (var d = Files.newDirectoryStream(task.proc().file(p.pid(), "root"))) {
                                d.iterator().hasNext();
                            }
                        }, ptrace)));
        for (Container c : task.containers()) {
            if (c.self()) continue;
            int pid = c.mainPid();
            String who = c.name() + " (pid " + pid + ")";
            out.add(access("root:" + c.name(), who, task.proc().file(pid, "root").toString(), () -> {
                try (var s = Files.newDirectoryStream(task.proc().file(pid, "root"))) {
                    s.iterator().hasNext();
                }
            }, ptrace));
            Check environ = access("environ:" + c.name(), who, task.proc().file(pid, "environ").toString(), () -> {
                try (FileInputStream in = new FileInputStream(task.proc().file(pid, "environ").toFile())) {
                    in.read(new byte[1]);
                }
            }, ptrace);
            if (environ.status() == Check.Status.FAIL && ptrace && !dac && environ.detail().contains("EACCES")) {
                environ = Check.warn(environ.name(), task.proc().file(pid, "environ") + " of " + who + ": EACCES: the file is mode 0400 "
                        + "owned by the process's uid and CAP_DAC_OVERRIDE is not effective (runc's default set lacks it; "
                        + "Docker's and Fargate's have it)",
                        "nothing needed: 'taskscope env' reads the live environment with process_vm_readv, which "
                        + "CAP_SYS_PTRACE allows; add CAP_DAC_OVERRIDE to read the file itself");
            }
            out.add(environ);
        }
        return out;
    }

    private interface Probe {
        void run() throws IOException;
    }

    private Check access(String name, String who, String path, Probe probe, boolean ptrace) {
        try {
            probe.run();
            return Check.pass(name, path + " of " + who + " is readable");
        } catch (IOException e) {
            int errno = errno(e);
            String cause = switch (errno) {
                case Errno.EACCES, Errno.EPERM -> ptrace
                        ? "refused although CAP_SYS_PTRACE is effective: the process is in another user namespace, or an LSM denies it"
                        : "reading another container's process needs CAP_SYS_PTRACE";
                case Errno.ENOENT, Errno.ESRCH -> "the process exited";
                default -> e.getMessage();
            };
            String detail = path + " of " + who + ": " + Errno.describe(errno) + ": " + cause;
            if (errno == Errno.ENOENT || errno == Errno.ESRCH) return Check.warn(name, detail, "run doctor again");
            return Check.fail(name, detail, ptrace ? "run the monitor as root in the task's user namespace" : PTRACE_FIX);
        }
    }

    static int errno(IOException e) {
        if (e instanceof AccessDeniedException) return Errno.EACCES;
        if (e instanceof NoSuchFileException) return Errno.ENOENT;
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
        for (int n : new int[] {Errno.EPERM, Errno.EACCES, Errno.ESRCH, Errno.ENOENT, Errno.EIO}) {
            if (reason.contains(Errno.message(n))) return n;
        }
        return Errno.EIO;
    }

    Check ecsMetadata() {
        if (ecs.isEmpty()) {
            return Check.warn("ecs-metadata", EcsMetadataClient.ENV + " is not set: containers are named by the engine's API "
                    + "when its socket is reachable, else by their short IDs, not the task definition", "nothing to do outside ECS; on ECS the agent sets it in every container");
        }
        // The snapshot fetched it already: a second request would double the wait on a broken endpoint.
        if (task.metadata().isEmpty()) {
            String why = task.warnings().stream().filter(w -> w.contains(EcsMetadataClient.ENV)).findFirst().orElse(null);
            if (why != null) return Check.fail("ecs-metadata", why, "check " + EcsMetadataClient.ENV);
        }
        try {
            EcsTaskMetadata m = task.metadata().isPresent() ? task.metadata().get() : ecs.get().task();
            return Check.pass("ecs-metadata", "reachable at " + ecs.get().base() + ": task " + m.family() + ":" + m.revision()
                    + ", containers " + String.join(", ", m.containers().stream().map(EcsTaskMetadata.EcsContainer::name).toList()));
        } catch (TaskscopeException e) {
            return Check.fail("ecs-metadata", e.getMessage(), e.fix());
        }
    }

    Check jna() {
        try {
            LibC.ensureLoaded();
            int pid = LibC.getpid();
            return Check.pass("jna", "JNA " + com.sun.jna.Native.VERSION + " native library loaded (getpid " + pid + ")");
        } catch (LinkageError | RuntimeException e) {
            return Check.fail("jna", "JNA's native library does not load: " + e,
                    "give the JVM a writable, exec-allowed temp directory (-Djna.tmpdir=DIR) or install libjna-jni");
        }
    }

    /** Whether a list holds a FAIL (doctor's exit status). */
    public static boolean failed(List<Check> checks) {
        return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL);
    }

}
