package io.taskscope.decode;

import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import io.taskscope.text.Bytes;
import java.util.List;
import java.util.Optional;

/**
 * strace's lines for what lifecycle mode sees ({@code taskscope trace --lifecycle}, docs/trace.md): no system call
 * stops, so no syscall lines, except the one strace prints for every successful exec, rebuilt from the exec event.
 * Exits are {@link StraceFormat}'s own {@code +++ exited with N +++} lines.
 *
 * <p>What differs from strace's execve line: the path is the program the process runs after the exec (its
 * {@code /proc/PID/exe}: {@code /usr/bin/dash} where strace shows the {@code /bin/sh} it was given), the argv is the
 * new {@code /proc/PID/cmdline}, and the environment is {@code ...} (its address and size are not known without the
 * syscall stop). Failed execs stop nothing in lifecycle mode and print nothing.
 */
public final class LifecycleLines {
    private LifecycleLines() {}

    /**
     * For an exec event, the execve call strace would have printed, as a syscall event that {@link StraceFormat}
     * prints (with the same pid prefix and timestamps); empty for other events or when {@code selection} (strace's
     * -e) does not show execve.
     */
    public static Optional<SyscallEvent> execve(ProcessEvent p, int stringLimit, SyscallFilter filter, SyscallTable table) {
        if (p.kind() != ProcessEvent.Kind.EXEC) return Optional.empty();
        boolean shown = table.byName("execve").map(s -> {
            boolean[] sel = filter.selection(table);
            return s.number() >= 0 && s.number() < sel.length && sel[s.number()];
        }).orElse(true);
        if (!shown || !filter.shows(false)) return Optional.empty();
        String path = p.exe() != null ? p.exe() : p.comm();
        List<String> args = List.of(string(path, stringLimit), argv(p.argv(), stringLimit), "...");
        return Optional.of(new SyscallEvent(p.timeNanos(), p.pid(), p.pid(), p.container(), p.comm(), p.uid(), "execve",
                args, path, null, 0, null, 0));
    }

    /** {@code ["sh", "-c", "id"]}: strings cut at -s, and the array after -s elements, as strace does. */
    static String argv(List<String> argv, int stringLimit) {
        if (argv == null) return "[]";
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < argv.size(); i++) {
            if (i > 0) b.append(", ");
            if (i >= Math.max(stringLimit, 1)) return b.append("...]").toString();
            b.append(string(argv.get(i), stringLimit));
        }
        return b.append(']').toString();
    }

    private static String string(String s, int stringLimit) {
        byte[] b = Bytes.encode(s);
        boolean cut = b.length > stringLimit;
        return Strings.quote(cut ? java.util.Arrays.copyOf(b, stringLimit) : b, cut);
    }
}
