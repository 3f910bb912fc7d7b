package io.taskscope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.lab.ReadmeTour.Step;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tour check's own rules (LabIT runs it against the lab): which changes of output count as drift. */
class ReadmeTourTest {
    static final List<Step> README = readme();

    static List<Step> readme() {
        try {
            return ReadmeTour.ofReadme(Lab.ROOT.resolve("README.md"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Step> with(int step, java.util.function.UnaryOperator<List<String>> change) {
        List<Step> copy = new ArrayList<>(README);
        copy.set(step, new Step(README.get(step).command(), change.apply(new ArrayList<>(README.get(step).output()))));
        return copy;
    }

    static int step(String prefix) {
        for (int i = 0; i < README.size(); i++) if (README.get(i).command().startsWith(prefix)) return i;
        throw new AssertionError("no '$ " + prefix + "' in the README's tour: " + README);
    }

    @Test
    void theReadmesTourIsDemoShsCommands() {
        assertEquals(List.of("taskscope ps", "taskscope trace --container app -e trace=%file   # in the background",
                "curl -i http://N.N.N.N:N/hoge.php", "(the trace's output)", "taskscope fs ls app:/var/www/html",
                "taskscope env N"), README.stream().map(s -> s.command().replaceAll("\\d+", "N")).toList());
        assertNull(ReadmeTour.difference(README, README));
    }

    @Test
    void aSignalSomeoneElseSentIsNotDrift() {
        int trace = step("(the trace's output)");
        assertNull(ReadmeTour.difference(README, with(trace, out -> {
            out.add("[pid    13] --- SIGURG {si_signo=SIGURG, si_code=SI_USER, si_pid=77, si_uid=0} ---");
            return out;
        })));
    }

    @Test
    void otherPidsTimesSizesPaddingAndCountsAreTheSameShape() {
        int ps = step("taskscope ps");
        List<Step> other = with(ps, out -> {
            List<String> o = new ArrayList<>(out.stream().map(l -> l.replace(" 09:34 ", " 11:02 ").replace("  13 ", "4213 ")).toList());
            o.add(o.stream().filter(l -> l.contains("nginx: worker process")).findFirst().orElseThrow()); // a third worker
            return o;
        });
        int trace = step("(the trace's output)");
        other = new ArrayList<>(other);
        other.set(trace, new Step(README.get(trace).command(), README.get(trace).output().stream()
                .filter(l -> !l.contains("pid    12") && !l.contains("Process 12 ")).map(l -> l.replace("0x7ffe28b516e0", "0x7ffc00001234")).toList()));
        assertNull(ReadmeTour.difference(README, other));
    }

    @Test
    void aNewColumnMessageOrCommandIsDriftAndSaysHowToRegenerate() {
        int ps = step("taskscope ps");
        String d = ReadmeTour.difference(README, with(ps, out -> {
            out.set(0, out.get(0).replace("CONTAINER", "CONTAINER  MODE"));
            return out;
        }));
        assertTrue(d != null && d.contains("scripts/readme-tour.sh") && d.contains("header"), d);
        int env = step("taskscope env");
        d = ReadmeTour.difference(README, with(env, out -> {
            out.replaceAll(l -> l.replace("DB_PASSWORD=<redacted>", "DB_PASSWORD=hunter2"));
            return out;
        }));
        assertTrue(d != null && d.contains("DB_PASSWORD"), d);
        List<Step> fewer = new ArrayList<>(README);
        fewer.remove(fewer.size() - 1);
        d = ReadmeTour.difference(README, fewer);
        assertTrue(d != null && d.contains("scripts/readme-tour.sh") && d.contains("commands"), d);
    }
}
