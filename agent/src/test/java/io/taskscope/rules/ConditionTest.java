package io.taskscope.rules;

import static io.taskscope.rules.Events.call;
import static io.taskscope.rules.Events.process;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The grammar, each operator and each field, on events built here. */
class ConditionTest {
    private static final Event OPEN = call(42, "app", "php-fpm8.2", "openat", 5, null, "AT_FDCWD", "\"/var/www/html/Shell.PHP\"",
            "O_WRONLY|O_CREAT|O_TRUNC", "0644");
    private static final Event CONNECT = call(42, "web", "curl", "connect", -1, "ECONNREFUSED", "3",
            "{sa_family=AF_INET, sin_port=htons(4444), sin_addr=inet_addr(\"10.1.2.3\")}", "16");

    /** Whether the condition matches the event (fed after the given process events). */
    private static boolean m(String condition, Event e, Event... before) {
        String yaml = "- list: l\n  items: [a, \"/var/www/html/Shell.PHP\", php-fpm8.2]\n"
                + "- macro: opened\n  condition: evt.type in (open, openat)\n"
                + "- rule: r\n  desc: d\n  condition: '" + condition.replace("'", "''") + "'\n  output: o\n  priority: info\n";
        var h = new Events.Harness(yaml);
        for (Event b : before) h.fired(b);
        return !h.fired(e).isEmpty();
    }

    @Test
    void booleanGrammarAndPrecedence() {
        assertTrue(m("opened and fd.name = /var/www/html/Shell.PHP", OPEN));
        assertTrue(m("evt.type = connect or evt.type = openat and proc.name = php-fpm8.2", OPEN));
        assertFalse(m("(evt.type = connect or evt.type = openat) and proc.name = nginx", OPEN));
        assertTrue(m("evt.type = openat and not not proc.name = php-fpm8.2", OPEN));
        assertTrue(m("evt.type=openat and not(proc.name=nginx)", OPEN));
        assertTrue(m("evt.type = openat and proc.name in (l)", OPEN));
        assertTrue(m("evt.type = openat and fd.name in (l, b)", OPEN));
        assertTrue(m("evt.type = openat and evt.dir = <", OPEN));
    }

    @Test
    void operators() {
        assertTrue(m("evt.type = openat and fd.name != /x", OPEN));
        assertTrue(m("evt.type = openat and fd.name contains www", OPEN));
        assertTrue(m("evt.type = openat and fd.name icontains shell.php", OPEN));
        assertFalse(m("evt.type = openat and fd.name contains shell.php", OPEN));
        assertTrue(m("evt.type = openat and fd.name startswith /var/www/", OPEN));
        assertTrue(m("evt.type = openat and fd.name endswith .PHP", OPEN));
        assertTrue(m("evt.type = openat and fd.name glob \"/var/*/Shell.[A-Z]HP\"", OPEN));
        assertFalse(m("evt.type = openat and fd.name glob \"/var/*.php\"", OPEN));
        assertTrue(m("evt.type = openat and fd.name pmatch (/var/www, /etc)", OPEN));
        assertFalse(m("evt.type = openat and fd.name pmatch (/var/ww)", OPEN));
        assertTrue(m("evt.type = openat and fd.num >= 5 and fd.num < 6 and fd.num <= 5 and fd.num > 4", OPEN));
        assertTrue(m("evt.type = openat and fd.num in (1, 5)", OPEN));
        assertTrue(m("evt.type = openat and evt.arg.flags contains O_CREAT", OPEN));
        assertTrue(m("evt.type = openat and evt.arg[3] = 0644", OPEN));
        assertTrue(m("evt.type = openat and evt.arg.mode = 0644", OPEN));
        assertTrue(m("evt.type = openat and fd.name exists and not fd.sip exists", OPEN));
        assertTrue(m("evt.type = openat and evt.is_open_write = true and evt.is_open_read = false", OPEN));
        assertTrue(m("evt.type = openat and proc.name intersects (x, php-fpm8.2)", OPEN));
        // a field without value fails every comparison, != included; its negation holds
        assertFalse(m("evt.type = openat and fd.dip != 1.2.3.4", OPEN));
        assertTrue(m("evt.type = openat and not fd.dip = 1.2.3.4", OPEN));
    }

    @Test
    void eventAndFdFields() {
        assertTrue(m("evt.type = connect and fd.dip = 10.1.2.3 and fd.dport = 4444 and fd.typechar = 4 and fd.type = ipv4", CONNECT));
        assertTrue(m("evt.type = connect and evt.res = ECONNREFUSED and evt.rawres = -111 and evt.failed = true and fd.num = 3", CONNECT));
        assertTrue(m("evt.type = openat and fd.directory = /var/www/html and fd.filename = Shell.PHP and fd.typechar = f", OPEN));
        assertTrue(m("evt.type = openat and evt.args contains \"name=/var/www/html/Shell.PHP\"", OPEN));
        Event unix = call(9, "app", "x", "connect", 0, null, "4", "{sa_family=AF_UNIX, sun_path=\"/run/php.sock\"}", "110");
        assertTrue(m("evt.type = connect and fd.name = /run/php.sock and fd.typechar = u", unix));
        Event rel = call(42, "app", "php", "openat", 3, null, "AT_FDCWD", "\"../html/x.php\"", "O_RDONLY");
        Event chdir = call(42, "app", "php", "chdir", 0, null, "\"/var/www/tmp\"");
        assertTrue(m("evt.type = openat and fd.name = /var/www/html/x.php and fd.nameraw = ../html/x.php", rel, chdir));
    }

    @Test
    void processTreeFieldsSurviveTheParentsExit() {
        Event[] tree = {
            process(Kind.START, 10, 1, "app", "php-fpm8.2", "/usr/sbin/php-fpm8.2", "php-fpm: master"),
            process(Kind.START, 11, 10, "app", "php-fpm8.2", "/usr/sbin/php-fpm8.2", "php-fpm: pool www"),
            process(Kind.START, 12, 11, "app", "php-fpm8.2", "/usr/sbin/php-fpm8.2"),
            process(Kind.EXEC, 12, 11, "app", "sh", "/usr/bin/dash", "sh", "-c", "id; cat /etc/shadow"),
            process(Kind.START, 13, 12, "app", "sh", "/usr/bin/dash"),
            process(Kind.EXIT, 12, 11, "app", "sh", null),
        };
        Event cat = process(Kind.EXEC, 13, 12, "app", "cat", "/usr/bin/cat", "cat", "/etc/shadow");
        assertTrue(m("evt.type = execve and proc.name = cat and proc.pname = sh and proc.pcmdline = \"sh -c id; cat /etc/shadow\""
                + " and proc.pexepath = /usr/bin/dash and proc.pexe = sh", cat, tree));
        assertTrue(m("evt.type = execve and proc.aname[2] = php-fpm8.2 and proc.apid[3] = 10 and proc.aname[0] = cat", cat, tree));
        assertTrue(m("evt.type = execve and proc.aname = php-fpm8.2 and proc.apid in (11) and proc.aname != nginx", cat, tree));
        assertTrue(m("evt.type = execve and proc.cmdline = \"cat /etc/shadow\" and proc.args = /etc/shadow and proc.exe = cat"
                + " and proc.exepath = /usr/bin/cat and proc.pid = 13 and proc.ppid = 12", cat, tree));
        assertTrue(m("evt.type = execve and proc.duration >= 0 and container.name = app and container.id = app", cat, tree));
        assertFalse(m("evt.type = execve and proc.aname = nginx", cat, tree));
        assertTrue(m("evt.type = procexit and proc.name = sh", process(Kind.EXIT, 12, 11, "app", "sh", null), tree));
    }

    @Test
    void memfdAndContainerMetadata() {
        Event memfd = process(Kind.EXEC, 20, 1, "app", "3", "/memfd:payload (deleted)", "x");
        assertTrue(m("evt.type = execve and proc.is_exe_from_memfd = true", memfd));
        RuleEnv env = new RuleEnv() {
            @Override
            public ContainerMeta container(String name) {
                return new ContainerMeta("abc123", name, "public.ecr.aws/nginx/nginx:1.27", null, null);
            }

            @Override
            public String userName(int pid, int uid) {
                return uid == 0 ? "root" : null;
            }
        };
        RuleSet rules = new RuleLoader().addText("t.yaml", "- rule: r\n  desc: d\n  condition: evt.type = execve and container.id = abc123"
                + " and container.image.repository = public.ecr.aws/nginx/nginx and container.image.tag = \"1.27\" and user.name = root\n"
                + "  output: \"%container.image.repository %user.name %container.privileged %proc.aname[1]\"\n  priority: info\n").build();
        var h = new Events.Harness(rules, env);
        var a = h.alerts(memfd);
        assertEquals("public.ecr.aws/nginx/nginx root <NA> <NA>", a.get(0).output());
        assertTrue(a.get(0).outputFields().containsKey("container.privileged"));
        assertEquals(null, a.get(0).outputFields().get("container.privileged"));
    }

    @Test
    void unknownFieldsAreNeverEmptySilently() {
        var rules = new RuleLoader().addText("t.yaml", "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.is_exe_upper_layer = true\n"
                + "  output: o\n  priority: info\n").build();
        assertEquals(0, rules.size());
        assertEquals(List.of("r"), rules.skipped().stream().map(RuleSet.Skipped::name).toList());
        assertTrue(rules.skipped().get(0).reason().startsWith("field proc.is_exe_upper_layer"));
    }
}
