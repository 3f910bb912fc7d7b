package io.taskscope.linux;

import java.util.Locale;

/** The architectures taskscope decodes (Fargate runs both). */
public enum Arch {
    X86_64, AARCH64;

    /** The architecture of the running JVM. */
    public static Arch current() {
        String a = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new IllegalStateException("unsupported architecture " + a + "; taskscope runs on x86_64 and aarch64");
        };
    }
}
