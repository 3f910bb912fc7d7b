package io.taskscope.cli;

import static io.taskscope.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.cli.CliRun.Result;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** Issue 14: one units convention for durations (the agent's), a bare number in each option's old unit. */
class DurationConverterTest {
    @Test
    void suffixesAreTheAgentsAndABareNumberKeepsTheOldUnit() {
        var ms = new DurationConverter.BareMillis();
        var s = new DurationConverter.BareSeconds();
        assertEquals(Duration.ofMillis(500), ms.convert("500ms"));
        assertEquals(Duration.ofSeconds(2), ms.convert("2s"));
        assertEquals(Duration.ofMinutes(1), ms.convert("1m"));
        assertEquals(Duration.ofHours(1), s.convert("1H"));
        assertEquals(Duration.ofMillis(2000), ms.convert("2000"), "health --timeout 2000 as before: milliseconds");
        assertEquals(Duration.ofSeconds(30), s.convert("30"), "fs watch --duration 30 as before: seconds");
        assertEquals(Duration.ZERO, s.convert("0"));
    }

    @Test
    void aBadValueSaysWhichFormsAreAccepted() {
        for (String bad : new String[] {"", "abc", "-1", "1.5s", "2 weeks", "5d", "1234567890s"}) {
            var e = assertThrows(TypeConversionException.class, () -> new DurationConverter.BareSeconds().convert(bad), bad);
            assertTrue(e.getMessage().contains("write e.g. 500ms, 2s, 1m or 1h (a bare number is seconds)"), e.getMessage());
        }
    }

    @Test
    void everyDurationOptionShowsTheSamePlaceholderAndTheBareUnit() {
        Result health = run("health", "--help");
        assertTrue(health.out().contains("--timeout DURATION"), health.out());
        assertTrue(health.out().contains("a bare number is milliseconds"), health.out());
        Result watch = run("fs", "watch", "--help");
        assertTrue(watch.out().contains("--duration DURATION"), watch.out());
        assertTrue(watch.out().contains("a bare number is seconds"), watch.out());
    }

    /** End to end: a bad --timeout is one usage line naming the option and the forms, exit 2, before any connect. */
    @Test
    void healthWithABadTimeoutIsOneUsageLine() {
        Result r = run("health", "--timeout", "2sec", "--socket", "/nonexistent-dir/agent.sock");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("taskscope: ") && r.err().contains("--timeout") && r.err().contains("'2sec' is not a duration")
                && r.err().contains("500ms, 2s, 1m or 1h"), r.err());
        // a good suffixed value parses and the command runs: here, to its own error (no agent there, exit 1)
        Result ok = run("health", "--timeout", "300ms", "--socket", "/nonexistent-dir/agent.sock");
        assertEquals(1, ok.code(), ok.err());
        assertTrue(ok.err().contains("no agent is listening"), ok.err());
    }
}
