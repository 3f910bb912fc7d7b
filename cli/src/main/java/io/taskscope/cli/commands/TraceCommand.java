package io.taskscope.cli.commands;

import io.taskscope.TaskscopeException;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.decode.StraceFormat;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.decode.SyscallSummary;
import io.taskscope.event.Event;
import io.taskscope.event.EventJson;
import io.taskscope.event.EventQueue;
import io.taskscope.event.SyscallEvent;
import io.taskscope.trace.Placement;
import io.taskscope.trace.TraceOptions;
import io.taskscope.trace.TracedProcess;
import io.taskscope.trace.Tracer;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace syscalls of neighbour processes, like strace -p.",
                "Runs until SIGINT/SIGTERM or until every traced process has exited; then detaches (the processes run on)."},
        footer = {"", "Examples:", "  taskscope trace -p 24 -e trace=%%file",
                "  taskscope trace -p 24 -p 25 -f -e trace=openat,newfstatat -e status=failed -tt -T",
                "  taskscope trace -p 24 --json -o /tmp/php.jsonl",
                "  taskscope trace --container app --lifecycle        (every exec and exit, no syscall stopped)"})
public class TraceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", split = ",",
            description = "Process to trace (all its threads); repeat for several.")
    List<Integer> pids = new ArrayList<>();

    @Option(names = "--container", paramLabel = "NAME",
            description = "Trace every process of this container, and the ones that appear in it later (implies -f).")
    String container;

    @Option(names = "-f", description = "Also trace child processes they create (new threads are always traced).")
    boolean follow;

    @Option(names = "-e", paramLabel = "EXPR",
            description = "strace filter: trace=NAME,%%CLASS,/REGEX,?NAME,!... or status=successful,failed. Repeatable.")
    List<String> expressions = new ArrayList<>();

    @Option(names = "-z", description = "Show only successful calls (-e status=successful).")
    boolean successfulOnly;

    @Option(names = "-Z", description = "Show only failed calls (-e status=failed).")
    boolean failedOnly;

    @Option(names = "-s", paramLabel = "N", defaultValue = "32", description = "Longest string to print (default ${DEFAULT-VALUE}).")
    int stringLimit;

    @Option(names = "-y", description = "Print paths of file descriptor arguments.")
    boolean decodeFds;

    @Option(names = "-t", description = "Prefix lines with the time of day; -tt adds microseconds, -ttt prints epoch seconds.")
    boolean[] timestamps = new boolean[0];

    @Option(names = "-q", description = "Quiet, as strace: -q hides the attach/detach messages, -qq also the "
            + "'+++ exited with N +++' lines, -qqq every message that can be hidden.")
    boolean[] quiet = new boolean[0];

    @Option(names = "--always-show-pid", description = "Start every line with its thread's id, as -o FILE with -f does "
            + "(strace 6.9's --always-show-pid).")
    boolean alwaysShowPid;

    @Option(names = "-T", description = "Show the time spent in each call.")
    boolean durations;

    @Option(names = "-c", description = "Count calls, errors and time per syscall; print a summary at the end instead of lines. Times are wall-clock from entry to exit (strace -c -w).")
    boolean summary;

    @Option(names = "-o", paramLabel = "FILE", description = "Write the trace to FILE instead of stdout.")
    Path outputFile;

    @Mixin
    JsonOption json;

    @Option(names = "--colocate",
            description = "Run the traced threads and the tracer on one CPU (much lower overhead on small VMs). "
                    + "Changes the traced processes' CPU affinity while traced; restored on detach, but a tracer killed with "
                    + "SIGKILL cannot restore it: the neighbour then stays pinned to one CPU until reset (taskset -a -p MASK PID).")
    boolean colocate;

    @Option(names = {"--lifecycle", "--events-only"},
            description = "Follow processes at almost no cost to them: only forks, execs and exits stop them (no "
                    + "system call is stopped, strace's lines for them are not shown). Prints strace's execve line for "
                    + "each exec and +++ exited with N +++ for each exit. Failed execs are invisible in this mode. "
                    + "Not with -c or -T.")
    boolean lifecycle;

    @Option(names = "--show-secrets", description = "Show secrets in command lines (execve) and strings (write, sendto...) "
            + "instead of <redacted> (see docs/security.md). Events relayed from a running agent stay redacted.")
    boolean showSecrets;

    @Option(names = "--spin-us", paramLabel = "US", defaultValue = "" + TraceOptions.DEFAULT_SPIN_MICROS, hidden = true,
            description = "Poll for the next stop this long after each resume before sleeping (0: never).")
    int spinMicros;

    /**
     * Called by Main before it builds the command line for `trace`: the one-time work of the attach path (logging, JNA
     * bindings, the tracer's classes, the syscall table, strace's formatting, the time zone) starts on a second thread
     * while picocli builds the model and parses the options on this one, so that the attach waits for neither. It
     * reads and changes nothing of any other process. Measured in docs/trace.md (attach latency). {@code first}:
     * JNA's start-up properties (Main's NativeBoot.prepare), which must precede any JNA class; the command waits for
     * this thread before it starts the tracer.
     */
    public static void prepareInBackground(Runnable first) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        prepared = done;
        Thread t = new Thread(() -> {
            try {
                first.run();
                Tracer.prepare();
                SyscallFilter.parse(List.of()).selection(io.taskscope.decode.SyscallTable.current());
                new StraceFormat(StraceFormat.Timestamps.NONE, false, StraceFormat.Framing.COLUMN, ZoneId.systemDefault());
                Class.forName(EventQueue.class.getName(), true, TraceCommand.class.getClassLoader());
                Class.forName(StopSignals.class.getName(), true, TraceCommand.class.getClassLoader());
                io.taskscope.agent.AgentSocket.path();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                // the command does the same work itself and reports what fails
            } finally {
                done.complete(null);
            }
            io.taskscope.StartupClock.mark("trace: prepared");
        }, "taskscope-prepare");
        t.setDaemon(true);
        t.start();
    }

    /** The preparing thread's work (complete when there was none): the tracer starts after it. */
    private static volatile CompletableFuture<Void> prepared = CompletableFuture.completedFuture(null);

    @Override
    public Integer call() throws Exception {
        io.taskscope.StartupClock.mark("trace: call");
        prepared.join(); // JNA's properties are set (nothing below may touch JNA before), the engine's classes ready
        if (pids.isEmpty() && container == null) {
            throw TaskscopeException.usage("no process to trace", "give -p PID or --container NAME (see 'taskscope ps')");
        }
        if (!pids.isEmpty() && container != null) {
            throw TaskscopeException.usage("-p and --container cannot be combined", "trace either processes or a container");
        }
        ContainerTargets targets = container == null ? null : ContainerTargets.resolve(container);
        if (targets != null) {
            pids = new ArrayList<>(targets.pids());
            follow = true;
        }
        if (stringLimit < 0) throw TaskscopeException.usage("-s must be at least 0", "e.g. -s 256");
        if (summary && json.json) {
            throw TaskscopeException.usage("-c and --json cannot be combined: -c prints a summary table instead of events",
                    "use -c for the table, or --json for the events");
        }
        if (timestamps.length > 3) {
            throw TaskscopeException.usage("-t given " + timestamps.length + " times; -t, -tt and -ttt are the forms",
                    "use -t (time of day), -tt (with microseconds) or -ttt (epoch seconds)");
        }
        if (targets == null) {
            // Every -p first: a typo in the second PID must not attach (and then detach) the first one.
            for (int pid : pids) {
                if (!Tracer.processExists(pid)) {
                    throw TaskscopeException.usage("no process with PID " + pid, "list processes with 'taskscope ps'");
                }
            }
        }
        if (lifecycle && (summary || durations)) {
            throw TaskscopeException.usage("--lifecycle stops no system call: " + (summary ? "-c" : "-T") + " has nothing to show",
                    "drop " + (summary ? "-c" : "-T") + ", or drop --lifecycle to trace system calls");
        }
        SyscallFilter filter = SyscallFilter.parse(expressions);
        if (successfulOnly) filter.successfulOnly();
        if (failedOnly) filter.failedOnly();
        StraceFormat.Timestamps ts = switch (Math.min(timestamps.length, 3)) {
            case 0 -> StraceFormat.Timestamps.NONE;
            case 1 -> StraceFormat.Timestamps.SECONDS;
            case 2 -> StraceFormat.Timestamps.MICROS;
            default -> StraceFormat.Timestamps.EPOCH;
        };
        PrintWriter err = spec.commandLine().getErr();
        Writer out = outputFile == null ? spec.commandLine().getOut() : openOutput(outputFile);
        // strace's framing: with -o FILE and -f (or several -p) every line starts with the tid; on a stream "[pid N] "
        // while several threads are traced.
        StraceFormat format = new StraceFormat(ts, durations, alwaysShowPid ? StraceFormat.Framing.COLUMN
                : StraceFormat.framingFor(outputFile != null, follow, pids.size()), ZoneId.systemDefault()).quietExit(quiet.length >= 2);
        // A process has one tracer: when the agent already traces the targets, show its events through our filter.
        // (AgentSocket, not ControlClient: its class initialiser builds a Jackson mapper, ~0.3 s of CPU before the attach)
        io.taskscope.StartupClock.mark("trace: options checked, output open");
        var relay = io.taskscope.agent.AgentRelay.tracing(pids, io.taskscope.agent.AgentSocket.path());
        if (relay.isPresent()) {
            return relay(relay.get(), filter, format, out, err);
        }
        io.taskscope.StartupClock.mark("trace: no agent relay");
        SyscallSummary counts = new SyscallSummary();

        TraceOptions options = TraceOptions.defaults().withFilter(filter).withStringLimit(stringLimit)
                .withDecodeFds(decodeFds).withFollowForks(follow).withProcessEvents(true).withSignalEvents(true).withThreadExits(true)
                .withPlacement(colocate ? Placement.COLOCATE : spinMicros > 0 ? Placement.SPIN : Placement.BLOCK)
                .withSpinMicros(spinMicros)
                .withContainerOf(targets == null ? pid -> null : pid -> container);
        if (lifecycle) options = options.withMode(io.taskscope.trace.TraceMode.LIFECYCLE);
        final Tracer[] tracerRef = new Tracer[1];
        final EventQueue[] queueRef = new EventQueue[1];
        // only a stream's framing changes with the thread count; --json and -c print no prefix at all
        PidPrefixes prefixes = alwaysShowPid || outputFile != null || json.json || summary ? null : new PidPrefixes();
        EventQueue queue = new EventQueue(16_384, e -> write(e, out, format, counts, prefixes, queueRef[0], filter), json.json);
        queueRef[0] = queue;
        Tracer tracer = Tracer.start(options, prefixes == null ? queue::offer : e -> prefixes.offer(e, tracerRef[0], queue));
        tracerRef[0] = tracer;
        io.taskscope.StartupClock.mark("trace: tracer started");
        CompletableFuture<String> stop = new CompletableFuture<>();
        stopOnOutputFailure = () -> stop.complete("output failed");
        Thread hook = new Thread(() -> {
            stop.complete("exit");
            tracer.close();
            queue.close(2000);
        }, "taskscope-trace-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StopSignals.onInterrupt(() -> stop.complete("signal"));
        CompletableFuture<Void> tracing = new CompletableFuture<>();
        stopAtEndOfInput(stop, tracing);
        Thread rescan = null;
        try {
            for (int pid : pids) {
                TracedProcess p;
                try {
                    p = join(tracer.attach(pid));
                } catch (TaskscopeException e) {
                    if (targets == null) throw e;
                    err.println("taskscope: " + e.oneLine()); // a container's process may end meanwhile
                    continue;
                }
                io.taskscope.StartupClock.mark("trace: attached " + pid);
                if (quiet.length == 0) {
                    err.println("taskscope: Process " + p.pid() + " attached" + (p.threads() > 1 ? " with " + p.threads() + " threads" : ""));
                }
                err.flush();
            }
            tracing.complete(null); // every target attached: an end of input from now on stops the trace
            if (targets != null) {
                if (tracer.tracees().isEmpty()) {
                    throw TaskscopeException.runtime("could not attach to any process of container " + container, "see the messages above");
                }
                rescan = targets.watch(tracer, err, stop);
                CompletableFuture.anyOf(stop, tracer.terminated()).get();
            } else {
                CompletableFuture.anyOf(stop, tracer.allGone(), tracer.terminated()).get();
            }
        } finally {
            if (rescan != null) rescan.interrupt();
            List<TracedProcess> left = tracer.tracees();
            tracer.close();
            if (quiet.length == 0) for (TracedProcess p : left) err.println("taskscope: Process " + p.pid() + " detached");
            boolean drained = queue.close(2000);
            if (!drained) {
                // The writer thread is stuck in a write nobody reads (a FIFO held open, a stopped pager): the
                // tracees are detached already; flushing would block on the same stream, so leave it.
                err.println("taskscope: the output is not being read; " + queue.backlog() + " events were not written");
                io.taskscope.cli.Main.abandonStdout();
            } else {
                if (summary) {
                    PrintWriter sw = outputFile != null ? new PrintWriter(out) : err;
                    counts.print(sw);
                }
                finish(out);
            }
            if (!json.json && queue.dropped() > 0 && outputFailure.get() == null) {
                err.println("taskscope: " + queue.dropped() + " events dropped because the output could not keep up");
            }
            err.flush();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        throwIfOutputFailed();
        if (tracer.failure().isPresent()) {
            throw TaskscopeException.runtime("the tracer failed: " + tracer.failure().get(), "run again with --debug and report it");
        }
        return ExitCode.OK.code();
    }

    /**
     * The third way to stop: end of input, when stdin is a pipe (a controlling script, an ssh
     * session) whose writer went away. An input that is empty from the start does not count: 'runc exec'
     * and 'docker exec' without a tty hand the command a pipe that reaches EOF at once when their own stdin
     * is /dev/null, and a background trace started that way must keep running. So an EOF stops the trace
     * only once the targets are attached ({@code tracing}) and at least a second after the start.
     * A terminal, /dev/null or a file never stop a trace.
     */
    private static void stopAtEndOfInput(CompletableFuture<String> stop, CompletableFuture<Void> tracing) {
        // stdin is the process's: a JVM that runs trace in-process (a test's surefire fork, whose stdin carries
        // surefire's own commands) must not have it read away (its fork then hung 30 s at the end)
        if (!io.taskscope.cli.Main.ownProcess()) return;
        String in;
        try {
            in = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/0")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        if (!in.startsWith("pipe:")) return;
        long started = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                byte[] buf = new byte[4096];
                while (System.in.read(buf) >= 0) {
                    // what is written to us is not a command; only its end matters
                }
            } catch (IOException e) {
                // a broken stdin ends the input too
            }
            boolean early = !tracing.isDone() || System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1);
            if (!early) stop.complete("end of input");
        }, "taskscope-stdin");
        t.setDaemon(true);
        t.start();
    }

    /** Streams the agent's events for the targets, through the user's filter, until a signal. */
    private int relay(io.taskscope.agent.AgentRelay relay, SyscallFilter filter, StraceFormat format, Writer out,
                      PrintWriter err) throws Exception {
        err.println("taskscope: the agent (PID " + relay.agentPid() + ") already traces " + (container != null
                ? "container " + container : "PID " + pids.stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse(""))
                + "; showing its events through your filter");
        List<String> unseen = relay.unseen(filter);
        if (!unseen.isEmpty()) {
            err.println("taskscope: warning: the agent traces only " + String.join(" ", relay.agentFilter()) + ": "
                    + unseen.size() + " of the syscalls you asked for cannot appear (" + String.join(", ",
                    unseen.subList(0, Math.min(6, unseen.size()))) + (unseen.size() > 6 ? ", ..." : "")
                    + "); widen TASKSCOPE_FILTER, or stop the agent to trace them yourself");
        }
        err.flush();
        SyscallSummary counts = new SyscallSummary();
        final EventQueue[] queueRef = new EventQueue[1];
        EventQueue queue = new EventQueue(16_384, e -> write(e, out, format, counts, null, queueRef[0], filter), json.json);
        queueRef[0] = queue;
        StopSignals.onInterrupt(relay::close);
        stopOnOutputFailure = relay::close;
        try {
            relay.stream(io.taskscope.agent.Subscription.of(pids, container == null ? List.of() : List.of(container), follow,
                    expressions, lifecycle ? List.of("process") : List.of("syscall", "process")), queue::offer);
        } finally {
            relay.close();
            queue.close(2000);
            if (summary) counts.print(outputFile != null ? new PrintWriter(out) : err);
            finish(out);
        }
        throwIfOutputFailed();
        return ExitCode.OK.code();
    }

    /** The first write to -o FILE that failed (a full disk, /dev/full): the trace stops and says so. */
    private final java.util.concurrent.atomic.AtomicReference<IOException> outputFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile Runnable stopOnOutputFailure = () -> { };

    private void outputFailed(IOException e) {
        if (outputFailure.compareAndSet(null, e)) stopOnOutputFailure.run();
    }

    private void finish(Writer out) {
        try {
            out.flush();
            if (outputFile != null) out.close();
        } catch (IOException e) {
            outputFailed(e);
        }
    }

    private void throwIfOutputFailed() {
        IOException e = outputFailure.get();
        if (e == null) return;
        String why = e.getMessage() == null || e.getMessage().isBlank() ? "the write failed" : e.getMessage();
        throw TaskscopeException.runtime("could not write the trace to " + (outputFile != null ? outputFile : "standard output")
                + ": " + why + "; the trace stopped and its output is incomplete", "free space on that disk, or choose another -o FILE");
    }

    /**
     * strace's "[pid N] " on a terminal: on while more than one thread is traced, as of each event. The tracer
     * thread counts when it hands an event over (a thread's exit line still counts it, as strace's does); the
     * writer, which may lag far behind, applies the value in order. Only the events where it changes are kept.
     */
    static final class PidPrefixes {
        private final Map<Event, Boolean> changes = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
        private boolean several; // the tracer thread's

        /** On the tracer thread: queues {@code e}, noting a change of the prefix at it. */
        boolean offer(Event e, Tracer tracer, EventQueue queue) {
            boolean now = tracer != null && tracer.tracedThreads() > 1;
            if (now == several) return queue.offer(e);
            changes.put(e, now);
            if (!queue.offer(e)) { // dropped (the queue is full): the next event carries the change
                changes.remove(e);
                return false;
            }
            several = now;
            return true;
        }

        /** On the writer thread, before {@code e} is formatted. */
        void apply(Event e, StraceFormat format) {
            if (changes.isEmpty()) return;
            Boolean on = changes.remove(e);
            if (on != null) format.pidPrefix(on);
        }
    }

    private boolean firstLine;

    private void write(Event e, Writer out, StraceFormat format, SyscallSummary counts, PidPrefixes prefixes, EventQueue queue,
                       SyscallFilter filter) {
        if (prefixes != null) prefixes.apply(e, format); // first: redaction may replace the event, which keys the change
        if (outputFailure.get() != null) return; // stopping: nothing more can be written
        if (!showSecrets) e = io.taskscope.env.Redaction.event(e);
        try {
            if (json.json) {
                if (summary && e instanceof SyscallEvent s) {
                    counts.add(s);
                    return;
                }
                EventJson.writeLine(e, out);
            } else {
                if (e instanceof SyscallEvent s && summary) {
                    counts.add(s);
                    return;
                }
                if (summary) return;
                if (lifecycle && e instanceof io.taskscope.event.ProcessEvent p) { // an exec: strace's execve line
                    e = io.taskscope.decode.LifecycleLines.execve(p, stringLimit, filter,
                            io.taskscope.decode.SyscallTable.current()).<Event>map(x -> x).orElse(e);
                }
                var line = format.line(e);
                if (line.isEmpty()) return;
                out.write(line.get());
                out.write('\n');
                if (!firstLine) {
                    firstLine = true;
                    io.taskscope.StartupClock.mark("trace: first line");
                }
            }
            if (queue == null || queue.backlog() == 0) out.flush(); // batch writes under load, prompt when idle
        } catch (IOException ex) {
            outputFailed(ex);
        }
    }

    private static Writer openOutput(Path file) {
        try {
            return new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // NIO's message is often the path alone; name the reason.
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage());
            throw TaskscopeException.usage("cannot write " + file + ": " + why, "choose a writable -o FILE");
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TaskscopeException t) throw t;
            throw new IllegalStateException(e.getCause());
        }
    }
}
