package io.taskscope.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.Main;
import io.taskscope.proc.ProcPath;
import io.taskscope.testing.ProcFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ps, ns, caps and doctor, in-process, against the fixture /proc of a Fargate task seen from its monitor. */
class ProcCommandsTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        String starting(String prefix) {
            return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(prefix + " not in\n" + out));
        }

        String line(String contains) {
            return out.lines().filter(l -> l.contains(contains)).findFirst().orElseThrow(() -> new AssertionError(contains + " not in\n" + out));
        }
    }

    Result run(String fixture, String... args) {
        ProcPath proc = ProcFixture.materialize(fixture, tmp);
        System.setProperty(ProcPath.PROPERTY, proc.root().toString());
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @AfterEach
    void reset() {
        System.clearProperty(ProcPath.PROPERTY);
    }

    static void assertUsageError(Result r, String message) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("taskscope: " + message), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void psShowsPsAuxColumnsWithContainersUsersFromEachContainerAndNestedPids() {
        Result r = run("task", "ps");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("USER", "PID", "NSPID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME", "CONTAINER", "COMMAND"),
                List.of(r.lines().get(0).trim().split(" +")));
        assertTrue(r.line(" 18 ").startsWith("nginx "), r.out());
        assertTrue(r.line("pool www").startsWith("www-data "), r.out());
        assertTrue(r.line("/pause").contains(" (pause) "), r.out());
        assertTrue(r.line("amazon-ssm-agent").contains("php-fpm (agent)"), r.out());
        assertTrue(r.line("taskscope.jar").contains("sleep (self)"), r.out());
        // Every process of the monitor's own container is set apart, not just this JVM.
        assertTrue(r.line("sleep infinity").contains("sleep (self)"), r.out());
        assertTrue(r.line("./my (odd) proc) x --flag").contains(" nginx "), r.out());
        assertTrue(r.line("<defunct>").contains("[php-fpm] <defunct>"), r.out());
        // pid 50 lives in a PID namespace nested below ours: NSPID shows its PID there.
        assertTrue(r.line("sleep 1000").matches("root +50 +1 .*"), r.out());
        assertTrue(r.line("pool www").matches("www-data +7 +- .*"), r.out());
        assertEquals(13, r.lines().size(), "header and 12 processes (two vanished mid-read)");
    }

    @Test
    void psSelectsColumnsPidsAndContainers() {
        Result r = run("task", "ps", "-o", "pid,user,comm,container", "-p", "7,18", "-p", "30");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(
                "PID USER     COMM             CONTAINER",
                "  7 www-data php-fpm          php-fpm",
                " 18 nginx    nginx            nginx",
                " 30 nginx    my (odd) proc) x nginx"), r.lines());
        Result c = run("task", "ps", "--container", "nginx", "-o", "pid");
        assertEquals(List.of("PID", " 18", " 19", " 30"), c.lines());
    }

    @Test
    void psTreeIndentsChildrenUnderTheirParent() {
        Result r = run("task", "ps", "--tree", "-o", "pid,args");
        assertEquals(0, r.code(), r.err());
        List<String> l = r.lines();
        int master = l.indexOf(l.stream().filter(s -> s.contains("php-fpm: master")).findFirst().orElseThrow());
        assertTrue(l.get(master + 1).matches(" +7 +php-fpm: pool www"), l.get(master + 1));
        assertTrue(l.get(master + 2).matches(" +45 +\\[php-fpm\\] <defunct>"), l.get(master + 2));
        assertTrue(r.line("taskscope.jar").matches(" +44 {5}java .*"), "44 is the child of 43, the child of 42:\n" + r.out());
    }

    @Test
    void psJsonHasTheDocumentedFields() throws Exception {
        Result r = run("task", "ps", "--json", "-p", "50,18");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode nginx = root.get("processes").get(0);
        assertEquals(18, nginx.get("pid").asInt());
        assertEquals("nginx", nginx.get("user").asText());
        assertEquals(101, nginx.get("uid").asInt());
        assertEquals("nginx", nginx.get("container").asText());
        assertEquals("app", nginx.get("role").asText());
        assertEquals("nginx: master process nginx -g daemon off;", nginx.get("cmdline").get(0).asText());
        assertTrue(nginx.get("innerPid").isNull());
        for (String f : List.of("ppid", "nspid", "cpuPercent", "memPercent", "vszKiB", "rssKiB", "tty", "stat", "start",
                "cpuSeconds", "threads", "comm", "command")) {
            assertTrue(nginx.has(f), f);
        }
        JsonNode nested = root.get("processes").get(1);
        assertEquals(1, nested.get("innerPid").asInt());
        assertEquals("[50,1]", nested.get("nspid").toString());
        JsonNode containers = root.get("containers");
        assertEquals(4, containers.size());
        assertTrue(containers.get(0).get("infrastructure").asBoolean(), "pause");
        assertTrue(containers.get(3).get("self").asBoolean(), "the monitor's own");
        assertEquals("namespace", containers.get(3).get("source").asText());
    }

    @Test
    void badInputIsOneLineAndExit2() {
        assertUsageError(run("task", "ps", "-o", "pid,bogus"), "unknown column 'bogus'; use one of: user, uid, pid");
        assertUsageError(run("task", "ps", "-p", "abc"), "'abc' is not a PID");
        assertUsageError(run("task", "ps", "-p", "4711"), "no process with PID 4711 in this PID namespace");
        assertUsageError(run("task", "ps", "--container", "db"), "no container named 'db'; known: pause, php-fpm, nginx, sleep");
        assertUsageError(run("task", "ns", "-t", "pids"), "unknown namespace type 'pids'");
        assertUsageError(run("task", "caps", "-p", "0"), "'0' is not a PID");
    }

    @Test
    void nsListsNamespacesAndWhatEachContainerShares() {
        Result r = run("task", "ns");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.line("4026532100 pid ").matches("4026532100 pid +10 +1 yes +pause,php-fpm,nginx,sleep +/pause"), r.out());
        assertTrue(r.line("4026532999 pid ").matches("4026532999 pid +1 +50 - +sleep +sleep 1000"), r.out());
        assertTrue(r.line("4026532401 mnt").contains(" nginx "), r.out());
        assertTrue(r.line("CONTAINER PID").matches("CONTAINER +PID +pid +pid_for_children +mnt +net +uts +ipc +user +cgroup +time"), r.out());
        assertTrue(r.starting("nginx ").matches("nginx +18 +shared +shared +separate +shared +separate +shared +shared +shared +shared"), r.out());
        assertTrue(r.starting("sleep ").matches("sleep +42 +shared +shared +shared .*"), r.out());
    }

    @Test
    void capsShowsSetsByNameAndSecurityBits() {
        Result r = run("task", "caps", "-p", "44,18");
        assertEquals(0, r.code(), r.err());
        String monitor = r.line(" 44 ");
        assertTrue(monitor.contains("sys_ptrace"), monitor);
        assertTrue(monitor.contains(" disabled "), monitor);
        String nginx = r.line(" 18 ");
        assertFalse(nginx.contains("sys_ptrace"), nginx);
        assertTrue(nginx.contains(" filter "), nginx);
        assertTrue(nginx.matches(".* chown, dac_override, fowner, fsetid, kill, setgid, setuid, setpcap, net_bind_service, net_raw, "
                + "sys_chroot, mknod, audit_write, setfcap += effective = effective none"), nginx);
    }

    @Test
    void doctorPassesInATaskWithPtraceAndFailsAloneWithTheFix() throws Exception {
        Result ok = run("task", "doctor");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.line("pid-namespace").startsWith("PASS pid-namespace"), ok.out());
        assertTrue(ok.line("pid-namespace").contains("8 processes outside this container, in 3 containers (pause, php-fpm, nginx)"), ok.out());
        assertTrue(ok.line("yama").contains("Yama not present"), ok.out());
        assertTrue(ok.line("kernel").startsWith("PASS kernel"), ok.out());
        assertTrue(ok.line("root:nginx").startsWith("PASS"), ok.out());
        assertTrue(ok.line("environ:php-fpm").startsWith("PASS"), ok.out());
        assertTrue(ok.line("jna").startsWith("PASS"), ok.out());

        Result alone = run("host", "doctor");
        assertEquals(ExitCode.FOUND.code(), alone.code(), alone.out());
        assertTrue(alone.line("pid-namespace").startsWith("FAIL pid-namespace"), alone.out());
        assertTrue(alone.out().contains("fix: share the PID namespace: pidMode \"task\""), alone.out());
        assertTrue(alone.line("cap-sys-ptrace").startsWith("FAIL"), alone.out());
        assertTrue(alone.out().contains("fix: add SYS_PTRACE to linuxParameters.capabilities.add"), alone.out());

        // Without CAP_SYS_PTRACE the neighbours' ns and root links are unreadable: the PID namespace is still
        // shared, and doctor must say the capability is what is missing, not pidMode.
        ProcPath blind = ProcFixture.materialize("task", tmp.resolve("blind"));
        try (var pids = Files.list(blind.root())) {
            for (Path d : pids.filter(d -> d.getFileName().toString().matches("\\d+") && !d.endsWith("44")
                    && !d.endsWith("42") && !d.endsWith("50")).toList()) {
                Files.deleteIfExists(d.resolve("ns/mnt"));
                Files.deleteIfExists(d.resolve("root"));
            }
        }
        System.setProperty(ProcPath.PROPERTY, blind.root().toString());
        var out = new StringWriter();
        Main.run(new String[] {"doctor"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        String pidNs = out.toString().lines().filter(l -> l.contains("pid-namespace")).findFirst().orElseThrow();
        assertTrue(pidNs.startsWith("WARN pid-namespace") && pidNs.contains("in no container"), out.toString());
        assertFalse(out.toString().contains("share the PID namespace"), out.toString());
        // CAP_SYS_PTRACE is effective here (cap-sys-ptrace passes): the warning must not ask to add it (issue 14)
        List<String> lines = out.toString().lines().toList();
        int at = lines.indexOf(pidNs);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS cap-sys-ptrace")), out.toString());
        assertTrue(pidNs.contains("although CAP_SYS_PTRACE is effective"), pidNs);
        assertFalse(lines.get(at + 1).contains("add SYS_PTRACE"), "contradicts PASS cap-sys-ptrace: " + lines.get(at + 1));
        // and without it, the same warning names the capability, as cap-sys-ptrace's FAIL does
        Path status = blind.root().resolve("44/status");
        Files.writeString(status, Files.readString(status).replaceAll("CapEff:\\t\\w+", "CapEff:\t00000000a80425fb"));
        var noPtrace = new StringWriter();
        Main.run(new String[] {"doctor"}, new PrintWriter(noPtrace, true), new PrintWriter(new StringWriter(), true));
        List<String> np = noPtrace.toString().lines().toList();
        int w = np.indexOf(np.stream().filter(l -> l.startsWith("WARN pid-namespace")).findFirst().orElseThrow());
        assertTrue(np.get(w + 1).contains("add SYS_PTRACE"), noPtrace.toString());
        assertTrue(np.stream().anyMatch(l -> l.startsWith("FAIL cap-sys-ptrace")), noPtrace.toString());

        Result json = run("host", "doctor", "--json");
        assertEquals(ExitCode.FOUND.code(), json.code());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertFalse(root.get("ok").asBoolean());
        assertEquals("pid-namespace", root.get("checks").get(0).get("name").asText());
        assertEquals("FAIL", root.get("checks").get(0).get("status").asText());
        assertTrue(root.get("checks").get(0).get("fix").asText().contains("pidMode"));
    }

    @Test
    void inspectSaysWhyALinkIsMissingAndNeverClaimsNothingIsShared() throws Exception {
        ProcPath proc = ProcFixture.materialize("task", tmp.resolve("gone"));
        Path pid = proc.root().resolve("18");
        for (String l : List.of("exe", "cwd", "root")) Files.deleteIfExists(pid.resolve(l));
        try (var ns = Files.list(pid.resolve("ns"))) {
            for (Path n : ns.toList()) Files.delete(n);
        }
        System.setProperty(ProcPath.PROPERTY, proc.root().toString());
        var out = new StringWriter();
        int code = Main.run(new String[] {"inspect", "18"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertEquals(0, code, out.toString());
        String page = out.toString();
        for (String field : List.of("exe", "cwd", "root", "namespaces")) {
            String row = page.lines().filter(l -> l.startsWith("  " + field + " ")).findFirst().orElseThrow();
            assertTrue(row.contains("unreadable: ENOENT"), "a blank or silent " + field + ": " + row);
        }
        assertFalse(page.contains("no namespace shared"), page);
        assertTrue(page.contains("unknown (the namespace links are unreadable)"), page);
        var json = new ObjectMapper().readTree(runIn(proc, "inspect", "--json", "18").out());
        assertTrue(json.get("exe").isNull() && json.get("namespaces").isNull() && json.get("sharedWithUs").isNull(), json.toString());
        assertTrue(json.get("warnings").toString().contains("exe: unreadable: ENOENT"), json.toString());
    }

    @Test
    void nsGivesEachContainerOnePidInBothTables() throws Exception {
        // ECS Exec's agent (pid 12, lower than nginx's 18) inside web's mount namespace: lsns would name pid 12 for
        // it, while the container table names web's main process; both tables must name the same one (issue 14)
        ProcPath proc = ProcFixture.materialize("task", tmp.resolve("exec"));
        Path link = proc.root().resolve("12/ns/mnt");
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("mnt:[4026532401]"));
        Path root = proc.root().resolve("12/root");
        Path webRoot = Files.readSymbolicLink(proc.root().resolve("18/root"));
        Files.delete(root);
        Files.createSymbolicLink(root, webRoot);
        var json = new ObjectMapper().readTree(runIn(proc, "ns", "--json").out());
        int checked = 0;
        for (var c : json.get("containers")) {
            long mnt = c.at("/namespaces/mnt/inode").asLong();
            for (var n : json.get("namespaces")) {
                if (n.get("type").asText().equals("mnt") && n.get("inode").asLong() == mnt) {
                    assertEquals(c.get("pid").asInt(), n.get("pid").asInt(), "container " + c.get("name") + ": " + n);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 3, json.toString());
    }

    @Test
    void psAuxIsWhatProcpsUsersType() {
        Result aux = run("task", "ps", "aux");
        assertEquals(0, aux.code(), aux.err());
        assertEquals(run("task", "ps").out().lines().count(), aux.out().lines().count());
        assertTrue(run("task", "ps", "auxf").out().contains("  php-fpm: pool www"), "f is the forest (--tree)");
        Result bad = run("task", "ps", "-ef");
        assertEquals(2, bad.code());
        Result odd = run("task", "ps", "axZ");
        assertUsageError(odd, "ps 'axZ': only the BSD letters a, u, x, w and f are understood");
        assertTrue(odd.err().contains("--container NAME or -p PID"), odd.err());
    }

    Result runIn(ProcPath proc, String... args) {
        System.setProperty(ProcPath.PROPERTY, proc.root().toString());
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
