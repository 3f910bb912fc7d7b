package io.taskscope.rules;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * bench/rules.sh's load: events per second through 25 rules (the 5 shipped ones and 20 Falco-style rules over
 * open, connect, exec, ptrace...) on one thread, tested against every rule ("linear") or only the rules indexed
 * for the event's type ("indexed"), interleaved, medians. Not a test: run by the script.
 */
public final class RulesBench {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 700;
        RuleSet rules = new RuleLoader().addDefaults().addText("bench.yaml", extraRules()).build();
        if (rules.size() != 25) throw new IllegalStateException("expected 25 rules, loaded " + rules.size() + ": " + rules.skipped());
        Event[] events = events();
        double[] linear = new double[rounds];
        double[] indexed = new double[rounds];
        for (int w = 0; w < 3; w++) {
            run(rules, events, false, 700);
            run(rules, events, true, 700); // warm-up: let the JIT compile both paths
        }
        for (int i = 0; i < rounds; i++) {
            linear[i] = run(rules, events, false, millis);
            indexed[i] = run(rules, events, true, millis);
            System.out.printf("round %d: linear %,.0f events/s, indexed %,.0f events/s%n", i + 1, linear[i], indexed[i]);
        }
        double l = median(linear);
        double x = median(indexed);
        System.out.printf("median of %d interleaved rounds, 25 rules, one thread: linear (every rule) %,.0f events/s;"
                + " indexed by evt.type %,.0f events/s; ratio %.2fx%n", rounds, l, x, x / l);
    }

    private static double run(RuleSet rules, Event[] events, boolean indexed, long millis) {
        RuleEngine engine = new RuleEngine(rules, RuleEnv.NONE, ProcessTree.Loader.NONE, indexed);
        long n = 0;
        long alerts = 0;
        long end = System.nanoTime() + millis * 1_000_000L;
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            for (Event e : events) alerts += engine.accept(e).size();
            n += events.length;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (alerts == 0) throw new IllegalStateException("no alert: the load does not exercise the rules");
        return n / secs;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** A php-fpm worker's mix: mostly reads and opens of the web root, some connects, a few execs. */
    private static Event[] events() {
        List<Event> out = new ArrayList<>();
        long t = 1_700_000_000_000_000_000L;
        out.add(new ProcessEvent(t, ProcessEvent.Kind.START, 100, 1, "app", "php-fpm8.2", "/usr/sbin/php-fpm8.2", List.of("php-fpm: pool www"), 33, null, null));
        for (int i = 0; i < 100; i++) {
            int k = i % 10;
            if (k < 3) {
                out.add(new SyscallEvent(t, 100, 100, "app", "php-fpm8.2", 33, "read", List.of("5", "\"...\"", "4096"), null, null, 512, null, 3));
            } else if (k < 7) {
                String p = k == 6 ? "/var/www/html/upload" + i + ".php" : "/var/www/html/test.php";
                String f = k == 6 ? "O_WRONLY|O_CREAT|O_TRUNC" : "O_RDONLY|O_CLOEXEC";
                out.add(new SyscallEvent(t, 100, 100, "app", "php-fpm8.2", 33, "openat", List.of("AT_FDCWD", "\"" + p + "\"", f), p, f, 5, null, 8));
            } else if (k == 7) {
                out.add(new SyscallEvent(t, 100, 100, "app", "php-fpm8.2", 33, "connect",
                        List.of("6", "{sa_family=AF_INET, sin_port=htons(3306), sin_addr=inet_addr(\"10.0.0.5\")}", "16"), null, null, 0, null, 20));
            } else if (k == 8) {
                out.add(new SyscallEvent(t, 100, 100, "app", "php-fpm8.2", 33, "newfstatat", List.of("AT_FDCWD", "\"/var/www/html\"", "{...}", "0"),
                        "/var/www/html", null, 0, null, 2));
            } else {
                out.add(new ProcessEvent(t, ProcessEvent.Kind.EXEC, 100, 1, "app", i % 20 == 9 ? "sh" : "convert", i % 20 == 9 ? "/usr/bin/dash" : "/usr/bin/convert",
                        List.of("x", "-c", "id"), 33, null, null));
            }
        }
        return out.toArray(new Event[0]);
    }

    private static String extraRules() {
        StringBuilder b = new StringBuilder("""
                - list: sensitive_files
                  items: [/etc/shadow, /etc/sudoers, /etc/pam.conf, /root/.ssh/authorized_keys]
                - list: miner_ports
                  items: [3333, 4444, 5555, 6666, 7777, 8888, 9999, 14444, 45700]
                - macro: open_read
                  condition: (evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.typechar = 'f' and fd.num >= 0)
                - macro: outbound
                  condition: (evt.type = connect and evt.dir = < and fd.typechar in (4, 6))
                """);
        String[] conds = {
            "open_read and fd.name in (sensitive_files) and not proc.name in (sshd, sudo)",
            "outbound and fd.dport in (miner_ports)",
            "outbound and fd.dip startswith 169.254.169.254",
            "evt.type = execve and proc.name in (nc, ncat, netcat, socat) and container.id != host",
            "evt.type = execve and proc.cmdline contains \"base64 -d\"",
            "evt.type = execve and proc.pname startswith php-fpm and proc.name in (curl, wget)",
            "evt.type in (open, openat) and evt.is_open_write = true and fd.name startswith /etc/",
            "evt.type in (open, openat) and evt.is_open_write = true and fd.name pmatch (/usr/bin, /usr/sbin, /bin, /sbin)",
            "evt.type = openat and fd.name glob \"/proc/*/mem\"",
            "evt.type = openat and fd.name endswith .bash_history and evt.arg.flags contains O_TRUNC",
            "evt.type in (unlink, unlinkat) and fs.path.name startswith /var/log",
            "evt.type = setuid and evt.failed = false and user.uid != 0",
            "evt.type = memfd_create",
            "evt.type = execve and proc.exepath pmatch (/var/www/html)",
            "evt.type in (bind, listen) and container.name = app",
            "evt.type = kill and evt.arg.sig = 9 and proc.name != tini",
            "evt.type = openat and fd.name icontains \"/.aws/credentials\"",
            "evt.type in (mount, umount2)",
            "evt.type = execve and proc.name in (apt, apt-get, dpkg, apk, yum, pip)",
            "evt.type in (chmod, fchmodat) and fd.name startswith /tmp",
        };
        for (int i = 0; i < conds.length; i++) {
            b.append("- rule: bench rule ").append(i + 1).append("\n  desc: d\n  condition: '").append(conds[i].replace("'", "''"))
                    .append("'\n  output: \"%proc.name %fd.name\"\n  priority: notice\n");
        }
        return b.toString();
    }
}
