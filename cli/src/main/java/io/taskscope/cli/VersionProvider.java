package io.taskscope.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code taskscope --version}: the version (the jar's manifest; "dev" when run from classes), the commit it was
 * built from (build.properties, written at build time by {@code docgen.BuildFiles}), and the JDK, architecture and
 * kernel it runs on: what a bug report needs.
 */
public class VersionProvider implements IVersionProvider {
    static final String BUILD_PROPERTIES = "/io/taskscope/cli/build.properties";

    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        Properties build = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(BUILD_PROPERTIES)) {
            if (in != null) build.load(in);
        } catch (IOException e) {
            // no build information: "unknown" below
        }
        return new String[] {
            "taskscope " + (v == null ? "dev" : v),
            "commit:  " + build.getProperty("commit", "unknown"),
            "jdk:     " + System.getProperty("java.vm.vendor", "?") + " " + System.getProperty("java.runtime.version",
                    System.getProperty("java.version", "?")) + " (" + System.getProperty("java.home", "?") + ")",
            "arch:    " + System.getProperty("os.arch", "?"),
            "kernel:  " + System.getProperty("os.name", "?") + " " + System.getProperty("os.version", "?"),
        };
    }
}
