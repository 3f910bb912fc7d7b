package io.taskscope.cli.docgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.Prereq;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The man pages and the bash completion the build writes (cli/pom.xml runs BuildFiles at process-classes, before
 * the tests): one page per command that groff renders without a warning, and a completion that completes.
 */
class ManPagesAndCompletionTest {
    static final Path TARGET = Path.of("target");

    @Test
    void everyCommandHasAPageThatGroffRendersCleanly() throws Exception {
        Path groff = Prereq.requireCommand("groff");
        List<String> names = BuildFiles.pageNames(BuildFiles.full());
        assertTrue(names.containsAll(List.of("taskscope", "taskscope-trace", "taskscope-ps", "taskscope-fs-ls")), names.toString());
        for (String name : names) {
            Path page = TARGET.resolve("man").resolve(name + ".1");
            assertTrue(Files.isRegularFile(page), "no man page " + page + " (run the build's process-classes phase)");
            Result r = run(List.of(groff.toString(), "-man", "-Tutf8", "-ww", "-z", page.toString()));
            assertEquals(0, r.code, name + ": " + r.err);
            assertEquals("", r.err.strip(), name + ": groff warns");
        }
        String trace = Files.readString(TARGET.resolve("man/taskscope-trace.1"), StandardCharsets.UTF_8);
        assertTrue(trace.contains(".SH NAME\ntaskscope-trace \\- Trace syscalls"), trace);
        assertTrue(trace.contains("\\fB\\-e\\fR \\fIEXPR\\fR"), "the -e EXPR option: " + trace);
        assertTrue(trace.contains(".SH EXIT STATUS"), trace);
    }

    @Test
    void bashCompletesCommandsAndOptions() throws Exception {
        Path bash = Prereq.requireCommand("bash");
        Path script = TARGET.resolve("completion/taskscope.bash").toAbsolutePath();
        assertTrue(Files.isRegularFile(script), "no completion script " + script);
        assertEquals("trace", complete(bash, script, "taskscope", "tr"));
        assertTrue(complete(bash, script, "taskscope", "ps", "--con").contains("--container"));
        assertTrue(complete(bash, script, "taskscope", "fs", "").contains("snapshot"));
    }

    private static String complete(Path bash, Path script, String... words) throws Exception {
        StringBuilder w = new StringBuilder();
        for (String s : words) w.append(" '").append(s).append('\'');
        String cmd = "source '" + script + "'; COMP_WORDS=(" + w + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; _complete_taskscope; echo \"${COMPREPLY[*]}\"";
        Result r = run(List.of(bash.toString(), "--norc", "-c", cmd));
        assertEquals(0, r.code, r.err);
        return r.out.strip();
    }

    record Result(int code, String out, String err) {}

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ts-docgen", ".out");
        Path err = Files.createTempFile("ts-docgen", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
