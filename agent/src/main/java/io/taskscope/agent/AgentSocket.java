package io.taskscope.agent;

import java.nio.file.Path;

/**
 * Where the agent's control socket is. A class of its own, with nothing heavy to initialise: 'ps' asks for
 * the path on every run, and ControlClient's class initialisation builds a Jackson ObjectMapper (about 10 ms
 * of a cold start) that is needed only when a socket is there.
 */
public final class AgentSocket {
    /** The default path; TASKSCOPE_SOCKET overrides it. */
    public static final Path DEFAULT = Path.of("/run/taskscope/agent.sock");

    private AgentSocket() {}

    /** The socket path from TASKSCOPE_SOCKET, else the default. */
    public static Path path() {
        String s = System.getenv("TASKSCOPE_SOCKET");
        return s == null || s.isBlank() ? DEFAULT : Path.of(s);
    }
}
