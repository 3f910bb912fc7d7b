package io.taskscope.testing;

import io.taskscope.text.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real neighbour with hostile names (agent/src/test/c/hostile.c) in its own mount namespace, so that it
 * is also a container of that name: comm {@code \e]0;CPWN\a\e[2J}, argv with a byte that is not UTF-8, a C1
 * control and DEL, an environment variable with both, and a child it traces (so "already traced by" names it).
 * Needs root (unshare); {@link #close()} kills both.
 */
public final class HostileProcess implements AutoCloseable {
    public static final String COMM = "\u001b]0;CPWN\u0007\u001b[2J";
    /** COMM as taskscope prints it. */
    public static final String COMM_ESCAPED = "\\x1b]0;CPWN\\x07\\x1b[2J";
    /** argv[1..] as decoded by taskscope. */
    public static final List<String> ARGS = List.of(Bytes.decode(new byte[] {'x', (byte) 0xff}), "\u0085nel", "\u007fdel", "\u001b[2J");
    public static final String ARGS_ESCAPED = "x\\xff \\xc2\\x85nel \\x7fdel \\x1b[2J";
    public static final String EVIL_VALUE = Bytes.decode(new byte[] {'x', (byte) 0xff, 0x1b, '[', '2', 'J'});

    public final int pid;
    public final int tracedChild;
    public final Path binary;

    private HostileProcess(int pid, int tracedChild, Path binary) {
        this.pid = pid;
        this.tracedChild = tracedChild;
        this.binary = binary;
    }

    public static HostileProcess start() throws IOException, InterruptedException {
        Prereq.requireRoot();
        Prereq.requireCommand("unshare");
        Path bin = CPrograms.binary("hostile");
        Path out = CPrograms.dir().resolve("hostile-" + System.nanoTime() + ".out");
        ProcessHandle h = CPrograms.startShell("exec unshare --mount --propagation private " + bin, out);
        for (int i = 0; i < 500; i++) {
            String text = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8).strip() : "";
            if (!text.isEmpty() && comm(h.pid()).equals(COMM)) {
                return new HostileProcess((int) h.pid(), Integer.parseInt(text), bin);
            }
            Thread.sleep(10);
        }
        CPrograms.killAll();
        throw new IllegalStateException("the hostile neighbour did not start: " + Files.readString(out));
    }

    private static String comm(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/comm"));
            return Bytes.decode(b, 0, Math.max(0, b.length - 1));
        } catch (IOException e) {
            return "";
        }
    }

    /** Whether {@code s} holds a character a terminal acts on: C0 but newline and tab, DEL, C1, or a raw byte. */
    public static boolean hasRawControls(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x80 && c <= 0x9f) || Bytes.isRaw(c)) return true;
        }
        return false;
    }

    @Override
    public void close() {
        CPrograms.killAll();
    }
}
