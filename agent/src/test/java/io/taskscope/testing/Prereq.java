package io.taskscope.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Prerequisites of integration tests (root, runc, gcc, strace, nginx, php-fpm...).
 *
 * <p>On a developer's machine a missing prerequisite skips the test with the reason. Under
 * {@code CI=true} it fails the test: CI must never go green by skipping what it was meant to run.
 */
public final class Prereq {
    private Prereq() {}

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or, in CI, fails) unless {@code condition} holds. */
    public static void require(boolean condition, String what) {
        if (condition) return;
        String msg = "prerequisite missing: " + what + " (bash test.sh installs it)";
        if (inCi()) Assertions.fail(msg + "; CI=true, so this is a failure, not a skip");
        Assumptions.abort(msg);
    }

    public static void requireRoot() {
        require("root".equals(System.getProperty("user.name")), "running as root");
    }

    /** Requires an executable on PATH and returns its path. */
    public static Path requireCommand(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        require(false, "command '" + name + "'");
        return null;
    }

    /** The repository's root directory (set by surefire from the Maven reactor). */
    public static Path projectRoot() {
        String root = System.getenv("TASKSCOPE_TEST_ROOT");
        if (root != null) return Path.of(root);
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("agent/pom.xml"))) p = p.getParent();
        return p;
    }
}
