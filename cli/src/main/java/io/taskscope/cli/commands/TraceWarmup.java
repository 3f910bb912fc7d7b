package io.taskscope.cli.commands;

import io.taskscope.decode.StraceFormat;
import io.taskscope.decode.Syscall;
import io.taskscope.decode.SyscallDecoder;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.decode.SyscallTable;
import io.taskscope.decode.TraceeMemory;
import io.taskscope.event.EventJson;
import io.taskscope.event.EventQueue;
import io.taskscope.event.SyscallEvent;
import io.taskscope.linux.Arch;
import io.taskscope.trace.TraceOptions;
import io.taskscope.trace.Tracer;
import java.io.Writer;
import java.time.ZoneId;
import java.util.List;
import picocli.CommandLine;

/**
 * What `trace` loads and runs before its first stop, exercised once in the launcher's training run
 * ({@code -Dtaskscope.train=true}, see ./taskscope) so that the class-data archive holds it: the picocli model of
 * `trace`, the filter, the syscall table and every decoder family, strace's formatting, the JSON writer, the
 * tracer thread and an attach to a real process (a shell loop it starts and kills). Without it a `trace` started
 * from the archive loaded some 1,400 classes from the jar before its first stop; with JDK 25's AOT cache the training also records the
 * decoders' profiles, so the first stops run compiled code. Never runs outside a training run; fails silently.
 */
public final class TraceWarmup {
    private TraceWarmup() {}

    public static void run() {
        try {
            new CommandLine(new TraceCommand()).parseArgs("-p", "1", "-f", "-e", "trace=%file", "-s", "64", "-o", "/dev/null");
            Class.forName(StopSignals.class.getName(), true, TraceWarmup.class.getClassLoader());
            SyscallFilter filter = SyscallFilter.parse(List.of("trace=%file,%desc,%network,%process"));
            SyscallTable table = SyscallTable.of(Arch.current());
            SyscallDecoder decoder = new SyscallDecoder(table, 32, true);
            // memory that reads as short strings ("abc") and small numbers: every decoder finds something to print
            TraceeMemory mem = (addr, dst, off, len) -> {
                for (int i = 0; i < len; i++) dst[off + i] = (byte) ((addr + i) % 4 == 3 ? 0 : 'a' + (addr + i) % 4);
                return len;
            };
            StraceFormat text = new StraceFormat(StraceFormat.Timestamps.NONE, false, StraceFormat.Framing.COLUMN,
                    ZoneId.systemDefault());
            Writer sink = Writer.nullWriter();
            boolean[] selected = filter.selection(table);
            long[] args = {3, 0x7ffd0000L, 0x7ffe0000L, 8, 0x7fff0000L, 0};
            for (int round = 0; round < 30; round++) {
                for (Syscall s : table.all()) {
                    if (round > 0 && !selected[s.number()]) continue;
                    boolean failed = round % 3 == 2;
                    var d = decoder.decode(1, s.number(), args, failed ? -2 : 8, failed, true, mem);
                    var e = new SyscallEvent(0, 1, 1, null, "warm", 0, s.name(), d.args(), d.path(), d.flags(),
                            failed ? -1 : 8, failed ? "ENOENT" : null, 1, null, null, d.retDetail());
                    sink.write(text.syscall(e));
                    if (round == 0) EventJson.writeLine(e, sink);
                }
            }
            Tracer.prepare();
            traceARealProcess(filter, text);
        } catch (Exception | LinkageError e) {
            // a training run only: whatever failed is simply not in the archive
        }
    }

    /**
     * The attach path itself (seize, the first stops, the process events, the writer): a shell loop of redirections
     * (openat, dup2, read, close; no fork) started as a grandchild, so that it is not the JVM's child (see
     * ARCHITECTURE.md), traced for up to 2,000 events and detached, then killed. Without CAP_SYS_PTRACE (a `docker
     * build`) the attach fails and this is skipped.
     */
    private static void traceARealProcess(SyscallFilter filter, StraceFormat text) throws Exception {
        // bounded (about a second untraced), so that a training run killed meanwhile leaves no loop behind for long
        Process sh = new ProcessBuilder("/bin/sh", "-c",
                "i=0; while [ $i -lt 50000 ]; do read -r x </dev/null; i=$((i+1)); done >/dev/null 2>&1 & echo $!")
                .redirectErrorStream(true).start();
        String line = new String(sh.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        sh.waitFor();
        int pid = Integer.parseInt(line);
        try {
            java.util.concurrent.atomic.AtomicInteger events = new java.util.concurrent.atomic.AtomicInteger();
            Writer sink = Writer.nullWriter();
            EventQueue queue = new EventQueue(16_384, e -> {
                try {
                    var l = text.line(e);
                    if (l.isPresent()) sink.write(l.get());
                    if (e instanceof SyscallEvent s) EventJson.writeLine(s, sink);
                } catch (java.io.IOException ex) {
                    // a null writer
                }
            }, false);
            Tracer tracer = Tracer.start(TraceOptions.defaults().withFilter(filter).withProcessEvents(true)
                    .withSignalEvents(true), e -> events.incrementAndGet() < 2_000 && queue.offer(e));
            try {
                tracer.attach(pid).get(2, java.util.concurrent.TimeUnit.SECONDS);
                long until = System.nanoTime() + 1_000_000_000L;
                while (events.get() < 2_000 && System.nanoTime() < until) Thread.sleep(5);
            } finally {
                tracer.close();
                queue.close(1000);
            }
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
