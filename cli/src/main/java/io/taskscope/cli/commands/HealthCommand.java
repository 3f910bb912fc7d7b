package io.taskscope.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskscope.TaskscopeException;
import io.taskscope.agent.ControlClient;
import io.taskscope.cli.DurationConverter;
import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Exit 0 when the agent answers on its control socket and its tracer thread is alive; "
                + "exit 1 otherwise. For the task definition's healthCheck: [\"CMD\", \"taskscope\", \"health\"]."})
public class HealthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JsonOption json;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The agent's control socket (default: $TASKSCOPE_SOCKET, else /run/taskscope/agent.sock).")
    Path socket;

    @Option(names = "--timeout", paramLabel = DurationConverter.LABEL, defaultValue = "2s", converter = DurationConverter.BareMillis.class,
            description = "How long to wait for the answer: 500ms, 2s, 1m (default ${DEFAULT-VALUE}; a bare number is milliseconds).")
    Duration timeout;

    @Override
    public Integer call() {
        if (timeout.isZero()) throw TaskscopeException.usage("--timeout must be longer than 0", "e.g. --timeout 2s");
        long timeoutMillis = timeout.toMillis();
        Path path = socket != null ? socket : ControlClient.defaultSocket();
        JsonNode h;
        try (ControlClient c = ControlClient.connectOrExplain(path, timeoutMillis)) {
            h = c.request(ControlClient.command("health"), timeoutMillis);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean alive = h.path("tracerAlive").asBoolean(false);
        if (json.json) {
            try {
                out.println(io.taskscope.text.Escape.jsonMapper().writeValueAsString(h)); // DEL, C1 escaped too
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else if (alive) {
            out.printf("ok: agent pid %d up %ds, tracer alive, %d processes traced, %d events dropped, %d subscribers%n",
                    h.path("pid").asLong(), h.path("uptimeSeconds").asLong(), h.path("tracees").asInt(),
                    h.path("dropped").asLong(), h.path("subscribers").asInt());
        }
        out.flush();
        if (!alive) {
            throw TaskscopeException.runtime("the agent (pid " + h.path("pid").asLong() + ") answers but its tracer thread is dead"
                    + h.path("tracerFailure").asText("").transform(f -> f.isEmpty() ? "" : ": " + f),
                    "see the agent's stderr; restart the agent");
        }
        return ExitCode.OK.code();
    }
}
