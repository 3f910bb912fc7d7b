package io.taskscope.inspect;

import io.taskscope.fs.FsText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The text page of {@code taskscope inspect}. Every string from the target is escaped for the terminal. */
public final class InspectText {
    private InspectText() {}

    public static List<String> lines(ProcessReport p) {
        List<String> out = new ArrayList<>();
        out.add("process " + p.pid() + " (" + esc(p.comm()) + ")" + (p.container().isEmpty() ? "" : " in container " + esc(p.container())));
        row(out, "command", esc(String.join(" ", p.cmdline())));
        row(out, "exe", value(p, "exe", p.exe()));
        row(out, "cwd", value(p, "cwd", p.cwd()));
        row(out, "root", value(p, "root", p.root()));
        row(out, "user", ids(p.user()));
        row(out, "group", ids(p.group()));
        row(out, "parent", p.ppid() + "   state " + p.state() + "   threads " + p.threads());
        if (p.namespaces() == null) {
            // unreadable links say nothing about sharing: "no namespace shared" would be a wrong answer
            row(out, "namespaces", value(p, "namespaces", null));
            row(out, "shared", "unknown (the namespace links are unreadable)");
        } else {
            StringBuilder ns = new StringBuilder();
            for (Map.Entry<String, Long> e : p.namespaces().entrySet()) ns.append(e.getKey()).append(':').append(e.getValue()).append(' ');
            row(out, "namespaces", ns.toString().strip());
            row(out, "shared", p.sharedWithUs().isEmpty() ? "no namespace shared with taskscope" : String.join(" ", p.sharedWithUs()) + " (with taskscope)");
        }
        for (Map.Entry<String, String> e : p.capabilities().entrySet()) row(out, "cap " + e.getKey(), e.getValue());
        row(out, "security", "seccomp " + p.seccomp() + "   no_new_privs " + (p.noNewPrivs() < 0 ? "?" : p.noNewPrivs()));
        for (String c : p.cgroups()) row(out, "cgroup", esc(c));
        if (!p.limits().isEmpty()) {
            out.add("limits");
            for (ProcessReport.Limit l : p.limits()) {
                out.add(String.format("  %-26s %-20s %-20s %s", l.name(), l.soft(), l.hard(), l.units()));
            }
        }
        if (p.fds() != null) {
            out.add("fds (" + p.fds().size() + ")");
            for (ProcessReport.Fd f : p.fds()) {
                out.add(String.format("  %4d  %-7s %s%s", f.fd(), f.kind(), esc(f.target()), f.detail().isEmpty() ? "" : "  " + esc(f.detail())));
            }
        }
        out.add("listening (" + p.listening().size() + ")");
        for (Sockets.Socket s : p.listening()) out.add("  " + esc(s.proto() + " " + (s.local().isEmpty() ? "(unnamed)" : s.local())));
        for (String w : p.warnings()) out.add("warning: " + w);
        return out;
    }

    private static String ids(ProcessReport.Ids i) {
        String s = i.real() + " (" + esc(i.realName()) + ")";
        return i.effective() == i.real() ? s : s + "   effective " + i.effective() + " (" + esc(i.effectiveName()) + ")";
    }

    private static void row(List<String> out, String name, String value) {
        out.add(String.format("  %-16s %s", name, value));
    }

    private static String esc(String s) {
        return FsText.printable(s == null ? "" : s);
    }

    /** A value, or why it is missing: "unreadable: EACCES (needs CAP_SYS_PTRACE)" from the report's warning. */
    private static String value(ProcessReport p, String name, String v) {
        if (v != null) return esc(v);
        for (String w : p.warnings()) if (w.startsWith(name + ": ")) return w.substring(name.length() + 2);
        return "unreadable";
    }
}
