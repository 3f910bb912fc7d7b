package io.taskscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.taskscope.cli.TargetArg.TargetPath;
import org.junit.jupiter.api.Test;

/** TARGET:PATH with container names that hold colons (issue 14). */
class TargetArgTest {
    @Test
    void aNameWithColonsWorksBeforeAnAbsolutePath() {
        assertEquals(new TargetPath("my:app", "/etc/nginx"), TargetArg.parsePath("my:app:/etc/nginx"));
        assertEquals(new TargetPath("web", "/etc/nginx"), TargetArg.parsePath("web:/etc/nginx"));
        assertEquals(new TargetPath("42", "/a:/b"), TargetArg.parsePath("42:/a:/b"), "a path keeps its own colons");
    }

    @Test
    void escapedColonsBeforeARelativeOrEmptyPath() {
        assertEquals(new TargetPath("my:app", "etc"), TargetArg.parsePath("my\\:app:etc"));
        assertEquals(new TargetPath("my:app", "/"), TargetArg.parsePath("my\\:app:"));
        assertEquals(new TargetPath("web", "etc/x:y"), TargetArg.parsePath("web:etc/x:y"));
    }

    @Test
    void theRuleIsInEveryFsHelp() {
        String help = CliRun.run("fs", "cat", "--help").out();
        assertEquals(true, help.contains("my:app:/etc") && help.contains("my\\:app:etc"), help);
    }
}
