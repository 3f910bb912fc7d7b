package io.taskscope.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.taskscope.testing.Prereq;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The differential test against strace, CI's fast subset (bench/strace-parity.py --quick): real programs (ls, cp,
 * a shell pipeline, python3, curl against a loopback server, timeout's timer, env, bench/parity-io.py's vectored
 * I/O, messages with control data, epoll, rusage and prctl) started stopped, traced by strace
 * and by the shaded jar's {@code trace -f -p PID -o FILE} with each option set (%file, %desc, %network, %process,
 * no filter, -y, -s 256), strace twice and taskscope once, normalised and compared per syscall. Fails when an option
 * set's share of strace's stable lines (printed in both its runs) that taskscope printed identically falls below the
 * threshold, printing the differing lines. The full set of programs is the same script without --quick (README and
 * docs/trace.md list what still differs and why).
 */
class StraceParityIT {
    /**
     * The script scores taskscope against the lines strace printed in both of its two runs (a line strace itself does
     * not reproduce, a pipe read's size, a SIGCHLD that coalesced, is noise, not a decoding difference). The quick set
     * is small: in %network one line is 0.9%, and a timing line both strace runs happened to agree on can still differ
     * in ours (three runs on 2026-12-03: lowest option sets 99.11%, 99.82%, 99.43%). CI fails below 98%, two such
     * lines in the smallest set; the 99.5% target is measured on the full set by bench/strace-parity.py.
     */
    static final String THRESHOLD = "98.0";

    @Test
    void taskscopePrintsTheLinesStracePrints() throws Exception {
        Prereq.requireRoot();
        for (String cmd : List.of("strace", "python3", "curl", "tar", "timeout")) Prereq.requireCommand(cmd);
        Path root = Prereq.projectRoot();
        Path jar = root.resolve("cli/target/taskscope.jar");
        Prereq.require(jar.toFile().isFile(), "the shaded jar (mvn package)");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder("python3", root.resolve("bench/strace-parity.py").toString(), "--quick",
                "--show", "40", "--min", THRESHOLD).redirectErrorStream(true);
        pb.environment().put("TS", java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar " + jar);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.MINUTES)) p.destroyForcibly();
        System.out.println(out);
        assertEquals(0, p.exitValue(), "strace parity below " + THRESHOLD + "% (or an exit status differed):\n" + out);
    }
}
