package io.taskscope.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.cli.Table;
import io.taskscope.doctor.Check;
import io.taskscope.doctor.Doctor;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check that this container can see and trace its neighbours: shared PID namespace, CAP_SYS_PTRACE, "
                + "Yama, seccomp, kernel version, access to each container's root and environ, ECS metadata, JNA.",
                "One PASS/WARN/FAIL line per check; each FAIL says what to change. Exit 0 when nothing fails, 3 when a check fails."})
public class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        List<Check> checks = Doctor.runAll();
        boolean failed = Doctor.failed(checks);
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            ObjectMapper m = io.taskscope.text.Escape.jsonMapper();
            ObjectNode root = m.createObjectNode();
            root.put("ok", !failed);
            ArrayNode list = root.putArray("checks");
            for (Check c : checks) {
                ObjectNode o = list.addObject();
                o.put("name", c.name());
                o.put("status", c.status().name());
                o.put("detail", c.detail());
                if (c.fix().isPresent()) o.put("fix", c.fix().get());
                else o.putNull("fix");
            }
            try {
                out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            // Check names hold container names: escaped like every neighbour's string.
            int width = checks.stream().mapToInt(c -> Table.clean(c.name()).length()).max().orElse(0);
            for (Check c : checks) {
                String name = Table.clean(c.name());
                out.println(c.status() + " " + name + " ".repeat(width - name.length()) + "  " + Table.clean(c.detail()));
                if (c.status() != Check.Status.PASS && c.fix().isPresent()) {
                    out.println(" ".repeat(5 + width + 2) + "fix: " + Table.clean(c.fix().get()));
                }
            }
            long fails = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
            long warns = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
            out.println(fails == 0 ? "ok: nothing failed" + (warns > 0 ? " (" + warns + " warning" + (warns == 1 ? "" : "s") + ")" : "")
                    : fails + " check" + (fails == 1 ? "" : "s") + " failed");
        }
        out.flush();
        return failed ? ExitCode.FOUND.code() : ExitCode.OK.code();
    }
}
