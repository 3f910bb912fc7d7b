package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import io.taskscope.proc.ProcessInfo;
import io.taskscope.task.Container;
import io.taskscope.task.Task;
import io.taskscope.trace.TracedProcess;
import io.taskscope.trace.Tracer;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code trace --container NAME}: the container's workload processes now, and a once-a-second
 * rescan that attaches processes appearing in it later by other routes than fork (e.g. an
 * {@code exec} into the container); children of traced processes are followed by the tracer itself.
 */
record ContainerTargets(String name, List<Integer> pids) {
    static ContainerTargets resolve(String name) {
        Task task = Task.snapshot();
        Container c = task.container(name).orElseThrow(() -> TaskscopeException.usage("no container named '" + name + "'",
                "known containers: " + task.containerNames()));
        if (c.self()) {
            throw TaskscopeException.usage("'" + name + "' is taskscope's own container", "trace a neighbour container");
        }
        List<Integer> pids = members(task, c);
        if (pids.isEmpty()) {
            throw TaskscopeException.usage("container '" + name + "' has no process to trace", "check it with 'taskscope ps'");
        }
        return new ContainerTargets(name, pids);
    }

    private static long key(int pid, long startTicks) {
        return ((long) pid << 32) ^ (startTicks & 0xffffffffL);
    }

    private static List<Integer> members(Task task, Container c) {
        return task.members(c).stream().map(ProcessInfo::pid)
                .filter(pid -> !task.role(pid).infrastructure() && pid != task.selfPid()).toList();
    }

    /** Starts the rescan thread; it ends with {@code stop} or an interrupt. */
    Thread watch(Tracer tracer, PrintWriter err, CompletableFuture<String> stop) {
        // Keyed by PID and start time: a PID that ended and came back as another process is a new one.
        Set<Long> failed = new HashSet<>();
        Thread t = new Thread(() -> {
            while (!stop.isDone() && !Thread.currentThread().isInterrupted()) {
                try {
                    stop.get(1, TimeUnit.SECONDS);
                    return;
                } catch (java.util.concurrent.TimeoutException e) {
                    // rescan below
                } catch (InterruptedException e) {
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    return;
                }
                try {
                    Task task = Task.snapshot();
                    Container c = task.container(name).orElse(null);
                    if (c == null) continue;
                    Set<Long> traced = new HashSet<>();
                    for (TracedProcess p : tracer.tracees()) traced.add(key(p.pid(), p.startTime()));
                    for (int pid : members(task, c)) {
                        long key = key(pid, task.process(pid).map(ProcessInfo::startTicks).orElse(0L));
                        if (traced.contains(key) || failed.contains(key)) continue;
                        try {
                            TracedProcess p = tracer.attach(pid).get(5, TimeUnit.SECONDS);
                            err.println("taskscope: Process " + p.pid() + " attached (new in " + name + ")");
                            err.flush();
                        } catch (Exception e) {
                            failed.add(key); // ended, or traced by someone else: do not retry every second
                        }
                    }
                } catch (RuntimeException e) {
                    // a snapshot can fail while processes come and go; try again next second
                }
            }
        }, "taskscope-container-rescan");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
