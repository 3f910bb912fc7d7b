package io.taskscope.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.Main;
import io.taskscope.testing.Prereq;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskdefCommandTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static String shipped() {
        return Prereq.projectRoot().resolve("task-definition.json").toString();
    }

    @Test
    void theShippedFileLintsClean() {
        Result r = run("taskdef", "lint", shipped());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(shipped() + ": ok (taskscope's container: monitor)", r.out().strip());
    }

    @Test
    void errorsExit1WithPathAndFix(@TempDir Path dir) throws IOException {
        ObjectNode td = (ObjectNode) new ObjectMapper().readTree(Files.readAllBytes(Path.of(shipped())));
        td.remove("pidMode");
        Path f = dir.resolve("td.json");
        Files.writeString(f, td.toString());
        Result r = run("taskdef", "lint", f.toString());
        assertEquals(ExitCode.FOUND.code(), r.code(), "lint errors are a finding, not a failure");
        assertTrue(r.out().startsWith("error   $.pidMode: pidMode is missing"), r.out());
        assertTrue(r.out().contains("fix: set \"pidMode\": \"task\""), r.out());
        assertTrue(r.out().strip().endsWith("1 error, 0 warnings (taskscope's container: monitor)"), r.out());
    }

    @Test
    void jsonOutput(@TempDir Path dir) throws IOException {
        ObjectNode td = (ObjectNode) new ObjectMapper().readTree(Files.readAllBytes(Path.of(shipped())));
        ((ObjectNode) td.withArray("containerDefinitions").get(2)).put("essential", true);
        Path f = dir.resolve("td.json");
        Files.writeString(f, td.toString());
        Result r = run("taskdef", "lint", "--json", f.toString());
        assertEquals(0, r.code(), "warnings alone exit 0");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("monitor", j.get("monitor").asText());
        assertEquals(0, j.get("errors").asInt());
        assertEquals(1, j.get("warnings").asInt());
        JsonNode finding = j.get("findings").get(0);
        assertEquals("warning", finding.get("severity").asText());
        assertEquals("essential", finding.get("rule").asText());
        assertEquals("$.containerDefinitions[2].essential", finding.get("path").asText());
        assertEquals("monitor", finding.get("container").asText());
        assertEquals("set \"essential\": false", finding.get("fix").asText());
    }

    @Test
    void aMissingFileIsOneLineAndExit2() {
        Result r = run("taskdef", "lint", "/nonexistent/td.json");
        assertEquals(2, r.code());
        assertEquals("taskscope: no file /nonexistent/td.json; give the path of a task definition (JSON)", r.err().strip());
        assertFalse(r.err().contains("\tat "));
    }

    @Test
    void taskdefAloneAsksForTheSubcommand() {
        Result r = run("taskdef");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("lint"), r.err());
    }
}
