package io.taskscope.agent;

import io.taskscope.trace.ModePolicy;
import io.taskscope.trace.TraceMode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The agent's {@link ModePolicy}: every selected process in the base mode (lifecycle by default), except
 *
 * <ul>
 *   <li>processes escalated to syscall mode, with their descendants, exempt from any budget: a shell or
 *       interpreter, a program run from a world-writable directory, a memfd or a deleted file, and any child of
 *       a web server worker (php's {@code system()}). Decided at the exec (or fork) stop, before the program's
 *       first instruction, so nothing it does is missed;</li>
 *   <li>processes chosen for continuous syscall tracing ({@link ModeConfig#syscall()}), whose cost the
 *       {@link Budget} then keeps under its share.</li>
 * </ul>
 *
 * Runs on the tracer thread: string tests on what the stop already read, nothing else. To add a condition: one
 * more test in {@link #escalation}, returning the reason shown in events and by {@code ps}, and a test in
 * EscalationTest with a matching and a near-miss process.
 */
final class Escalation implements ModePolicy {
    /** Shells and interpreters: what a web shell or an RCE runs next. Matched on the executable's name and comm. */
    static final Pattern SHELL = Pattern.compile(
            "(sh|bash|dash|ash|zsh|ksh|mksh|pdksh|csh|tcsh|fish|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|"
                    + "node|nodejs|lua[0-9.]*|php[0-9.]*|tclsh[0-9.]*|nc|ncat|netcat|socat|telnet)");
    /** Web servers whose workers never start programs in normal operation. */
    static final Pattern WEB_SERVER = Pattern.compile("(php-fpm[0-9.]*|php-cgi[0-9.]*|nginx|httpd|apache2|lighttpd)");
    static final List<String> WORLD_WRITABLE = List.of("/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/");

    private final ModeConfig config;
    /** Processes under the budget (pid to the reason), kept by this policy, read by the budget. */
    private final Map<Integer, String> continuous = new ConcurrentHashMap<>();

    Escalation(ModeConfig config) {
        this.config = config;
    }

    /** The pids in continuous (budgeted) syscall mode now; the budget drops pids that are gone. */
    Set<Integer> continuous() {
        return continuous.keySet();
    }

    @Override
    public Decision decide(Context c) {
        if (config.escalate()) {
            if (c.escalated() && c.moment() != Moment.ATTACH) return null; // inherited: stays escalated
            String why = escalation(c);
            if (why != null) return new Decision(TraceMode.SYSCALL, true, "escalated: " + why);
        }
        boolean inherited = c.moment() == Moment.FORK && continuous.containsKey(c.ppid());
        if (inherited || config.continuous(c.container(), String.join(" ", c.argv()), c.exe())) {
            String why = "selected for syscall tracing" + (config.budgeted()
                    ? " under a " + percent(config.budget()) + " budget" : "");
            continuous.put(c.pid(), why);
            return new Decision(TraceMode.SYSCALL, false, why);
        }
        continuous.remove(c.pid()); // an exec into a program no selector names
        return c.moment() == Moment.FORK ? null : new Decision(config.base(), false, null);
    }

    /** Why the process earns a full trace, or null. */
    static String escalation(Context c) {
        String exe = c.exe();
        String name = exe == null ? c.comm() : exe.substring(exe.lastIndexOf('/') + 1);
        if (c.moment() != Moment.FORK) {
            if (name != null && SHELL.matcher(name).matches() || c.comm() != null && SHELL.matcher(c.comm()).matches()) {
                String what = c.comm() != null && SHELL.matcher(c.comm()).matches() ? c.comm() : name;
                return "shell or interpreter " + what + (exe != null ? " (" + exe + ")" : "") + inContainer(c);
            }
            if (exe != null) {
                if (exe.startsWith("/memfd:")) return "program run from a memfd (" + exe + ")" + inContainer(c);
                if (exe.endsWith(" (deleted)")) return "program run from a deleted file (" + exe + ")" + inContainer(c);
                for (String dir : WORLD_WRITABLE) {
                    if (exe.startsWith(dir)) return "program run from " + dir + " (" + exe + ")" + inContainer(c);
                }
            }
        }
        if (c.moment() != Moment.ATTACH && webWorker(c.parentExe(), c.grandparentExe())) {
            return "child of web server worker " + base(c.parentExe()) + inContainer(c);
        }
        return null;
    }

    /** A worker: a web server process whose parent is the same web server (its master). */
    private static boolean webWorker(String exe, String parentExe) {
        return exe != null && exe.equals(parentExe) && WEB_SERVER.matcher(base(exe)).matches();
    }

    private static String base(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String inContainer(Context c) {
        return c.container() != null ? " in container " + c.container() : "";
    }

    static String percent(double fraction) {
        double p = fraction * 100;
        return (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)) + "%";
    }
}
