package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.testing.HostileRoot;
import org.junit.jupiter.api.Test;

/** The C library of a process in another root is read through that root (its own /usr), not the monitor's path. */
class EnvInContainerTest {
    @Test
    void liveEnvironmentOfAChrootedProcess() throws Exception {
        try (HostileRoot target = HostileRoot.start()) {
            Environment procfs = EnvironReader.read(target.pid, EnvironReader.Mode.AUTO);
            assertEquals(Environment.Source.PROCFS, procfs.source());
            Environment live = EnvironReader.read(target.pid, EnvironReader.Mode.LIVE);
            assertEquals(Environment.Source.RECOVERED, live.source());
            assertTrue(live.detail().contains("libc.so.6") && !live.detail().contains(target.root.toString()),
                    "the mapped path is the container's own: " + live.detail());
            assertEquals(procfs.variables(), live.variables(), "sleep never changed its environment");
        }
    }
}
