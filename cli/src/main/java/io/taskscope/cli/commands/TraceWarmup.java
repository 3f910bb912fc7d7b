package io.taskscope.cli.commands;

import io.taskscope.decode.StraceFormat;
import io.taskscope.decode.Syscall;
import io.taskscope.decode.SyscallDecoder;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.decode.SyscallTable;
import io.taskscope.decode.TraceeMemory;
import io.taskscope.event.EventJson;
import io.taskscope.event.SyscallEvent;
import io.taskscope.linux.Arch;
import io.taskscope.trace.Tracer;
import java.io.Writer;
import java.time.ZoneId;
import java.util.List;
import picocli.CommandLine;

/**
 * What `trace` loads and runs before its first stop, exercised once in the launcher's training run
 * ({@code -Dtaskscope.train=true}, see ./taskscope) so that the class-data archive holds it: the picocli model of
 * `trace`, the filter, the syscall table and every decoder family, strace's formatting, the JSON writer, and the
 * command itself tracing a real process (a shell loop it starts and kills). Without it a `trace` started from the
 * archive loaded some 1,400 classes from the jar before its first stop. What the archive cannot hold is compiled
 * code (the launcher runs C1 alone, which keeps no profiles): the first stops run interpreted until the JIT has
 * compiled the stop path, which is why the decoders are small methods per family ({@code decode.Arguments}).
 * Never runs outside a training run; fails silently.
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
            traceARealProcess();
        } catch (Exception | LinkageError e) {
            // a training run only: whatever failed is simply not in the archive
        }
    }

    /**
     * The command itself, as a user runs it: {@code trace -f -y -p PID -o /dev/null} on a shell loop of redirections
     * (openat, dup2, read, close; no fork) started as a grandchild, so that it is not the JVM's child (see
     * ARCHITECTURE.md). The loop first waits for a line on a pipe from us (its shell's stdin), sent once the kernel shows it traced (its
     * 500 iterations take a few ms untraced, far less than the command takes to attach); the command ends with it.
     * A pipe, not a SIGSTOP: if this JVM dies first, the pipe's end lets the loop run out, never leaving it stopped.
     * Besides the tracer's attach and stops, this archives what only the command runs (its call(), the output file's
     * channel, the writer, the lambdas and string concatenations it links): without it a `trace` spun some twenty
     * classes at start-up, each costing interpreted bytecode generation and JIT work before the first stop. Bounded:
     * the command runs on a daemon thread given 5 s (an agent relaying the trace would never end it), and the loop
     * is killed whatever happens. Without CAP_SYS_PTRACE (a `docker build`) the attach fails and the command returns
     * an error, to a writer nobody reads.
     */
    private static void traceARealProcess() throws Exception {
        // fd 3: an asynchronous list's stdin is /dev/null in a non-interactive shell. The outer shell waits for the
        // loop: the JDK closes a child's stdin once the child has exited, which would end the loop's wait at once.
        Process sh = new ProcessBuilder("/bin/sh", "-c", "exec 3<&0; (read -r go <&3; exec 3<&-; i=0; "
                + "while [ $i -lt 500 ]; do read -r x </dev/null; i=$((i+1)); done) >/dev/null 2>&1 & echo $!; "
                + "exec >&- 3<&-; wait").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(sh.getInputStream(),
                java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        int pid = Integer.parseInt(line == null ? "" : line.strip());
        try (var go = sh.getOutputStream()) {
            java.io.PrintWriter quiet = new java.io.PrintWriter(Writer.nullWriter());
            Thread command = new Thread(() -> io.taskscope.cli.Main.run(
                    new String[] {"trace", "-f", "-y", "-p", Integer.toString(pid), "-o", "/dev/null"}, quiet, quiet),
                    "taskscope-train-trace");
            command.setDaemon(true);
            command.start();
            long until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < until && command.isAlive() && !traced(pid)) Thread.sleep(2);
            try {
                go.write('\n'); // traced or not: let it run out
                go.flush();
            } catch (java.io.IOException e) {
                // it is gone already
            }
            command.join(5000);
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            if (!sh.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) sh.destroyForcibly();
        }
    }

    private static boolean traced(int pid) {
        try {
            return io.taskscope.proc.ProcStatus.parse(java.nio.file.Files.readString(
                    java.nio.file.Path.of("/proc/" + pid + "/status"))).tracerPid() != 0;
        } catch (java.io.IOException | RuntimeException e) {
            return false; // gone
        }
    }
}
