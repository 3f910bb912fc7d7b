package io.taskscope.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.decode.StraceFormat;
import io.taskscope.decode.SyscallFilter;
import io.taskscope.event.Event;
import io.taskscope.testing.CPrograms;
import io.taskscope.testing.Prereq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same program traced by real strace and by taskscope, one after the other, with the same
 * filter: the distinct lines (syscalls, decoded paths and flags, return values and errnos) must be
 * the same, addresses aside.
 */
class StraceComparisonTest {
    @BeforeEach
    void prerequisites() {
        Prereq.requireRoot();
        Prereq.requireCommand("strace");
    }

    @AfterEach
    void cleanUp() {
        CPrograms.killAll();
    }

    /** Addresses differ between runs; strace pads "= ret" to column 40 (so do we, but widths differ). */
    static Set<String> normalize(List<String> lines) {
        Set<String> out = new TreeSet<>();
        for (String l : lines) {
            if (l.isBlank() || l.startsWith("+++") || l.startsWith("---") || l.contains("resumed>") || l.contains("<unfinished")
                    || l.contains("<detached") || l.startsWith("restart_syscall(")) {
                continue; // artefacts of attaching and detaching mid-call, which differ between the two runs
            }
            out.add(l.replaceAll("0x[0-9a-f]+", "ADDR").replaceAll("htons\\(\\d+\\)", "htons(PORT)").replaceAll("socket:\\[\\d+\\]", "socket:[INODE]")
                    .replaceAll("\\)\\s+= ", ") = "));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"trace=%file", "trace=openat,access,newfstatat,close,getppid", "trace=%file;status=failed",
            "trace=%desc", "trace=!%memory,%signal"})
    void sameLinesAsStrace(String filter) throws Exception {
        compare(CPrograms.start("fileloop", "0", "20000"), List.of(filter.split(";")), 600, false);
    }

    @org.junit.jupiter.api.Test
    void socketOptionsIoctlsAndFlagsAreNamedAsStraceNamesThem() throws Exception {
        // setsockopt(3, SOL_TCP, TCP_NODELAY, [1], 4), ioctl(3, FIONBIO, [1]), flock(5, LOCK_SH|LOCK_NB), ...
        compare(CPrograms.start("netcalls"), List.of("trace=socket,setsockopt,getsockname,epoll_create1,memfd_create,"
                + "flock,ioctl,wait4"), 1000, false);
    }

    @org.junit.jupiter.api.Test
    void dashYNamesReturnedAndClosedFdsAsStraceDoes() throws Exception {
        // openat(...) = 3</etc/hostname>, read(3</etc/hostname>, ...), close(3</etc/hostname>), socket(...) = 3<socket:[N]>
        compare(CPrograms.start("fdcalls"), List.of("trace=openat,read,close,socket"), 1000, true);
    }

    /**
     * A process inside clock_nanosleep when the tracer attaches resumes the call with restart_syscall, which strace names
     * by the call it last saw exit ("<... resuming interrupted read ...>" here: attached inside a call, strace has seen
     * no entry and its call number is 0). The first line both print.
     */
    @org.junit.jupiter.api.Test
    void aCallTheAttachInterruptedResumesAsStraceNamesIt() throws Exception {
        ProcessHandle first = CPrograms.startShell("exec sleep 1", CPrograms.dir().resolve("sleep1.out"));
        Thread.sleep(200);
        Path straceOut = CPrograms.dir().resolve("strace-restart-" + System.nanoTime() + ".txt");
        ProcessHandle strace = CPrograms.startShell("exec strace -qq -o " + straceOut + " -p " + first.pid(),
                CPrograms.dir().resolve("strace.err"));
        strace.onExit().get(5, TimeUnit.SECONDS);
        String expected = Files.readAllLines(straceOut).get(0).replaceAll("\\)\\s+= ", ") = ");

        ProcessHandle second = CPrograms.startShell("exec sleep 1", CPrograms.dir().resolve("sleep2.out"));
        Thread.sleep(200);
        ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        Tracer tracer = Tracer.start(TraceOptions.defaults().withFilter(SyscallFilter.parse(List.of())), events::add);
        try {
            tracer.attach((int) second.pid()).get(5, TimeUnit.SECONDS);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // the exit event: every stop handled
            while (System.nanoTime() < until && events.stream().noneMatch(e -> e instanceof io.taskscope.event.ProcessEvent p
                    && p.kind() == io.taskscope.event.ProcessEvent.Kind.EXIT)) {
                Thread.sleep(10);
            }
        } finally {
            tracer.close();
        }
        StraceFormat f = new StraceFormat(StraceFormat.Timestamps.NONE, false, false, ZoneId.of("UTC"));
        String actual = events.stream().flatMap(e -> f.line(e).stream()).filter(l -> !l.startsWith("---")).findFirst()
                .orElseThrow(() -> new AssertionError("no line: " + events)).replaceAll("\\)\\s+= ", ") = ");
        assertTrue(expected.startsWith("restart_syscall(<... resuming interrupted "), expected);
        assertEquals(expected, actual);
    }

    private static void compare(ProcessHandle p, List<String> exprs, long millis, boolean dashY) throws Exception {

        Path straceOut = CPrograms.dir().resolve("strace-" + System.nanoTime() + ".txt");
        StringBuilder cmd = new StringBuilder("exec strace -qq -o " + straceOut + (dashY ? " -y" : ""));
        for (String e : exprs) cmd.append(" -e ").append(e.replace("!", "\\!"));
        cmd.append(" -p ").append(p.pid());
        ProcessHandle strace = CPrograms.startShell(cmd.toString(), CPrograms.dir().resolve("strace.err"));
        Thread.sleep(millis);
        new ProcessBuilder("kill", "-INT", Long.toString(strace.pid())).start().waitFor();
        strace.onExit().get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 100 && CPrograms.tracerPid(p.pid()) != 0; i++) Thread.sleep(10);
        Set<String> expected = normalize(Files.readAllLines(straceOut));

        ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        Tracer tracer = Tracer.start(TraceOptions.defaults().withFilter(SyscallFilter.parse(exprs)).withDecodeFds(dashY),
                events::add);
        try {
            tracer.attach((int) p.pid()).get(5, TimeUnit.SECONDS);
            Thread.sleep(millis);
        } finally {
            tracer.close();
        }
        StraceFormat f = new StraceFormat(StraceFormat.Timestamps.NONE, false, false, ZoneId.of("UTC"));
        Set<String> actual = normalize(events.stream().flatMap(e -> f.line(e).stream()).toList());

        assertTrue(expected.size() >= 2, "strace saw " + expected);
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }
}
