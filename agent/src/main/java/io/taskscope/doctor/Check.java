package io.taskscope.doctor;

import java.util.Optional;

/**
 * One line of {@code taskscope doctor}.
 *
 * @param name   a stable identifier ("pid-namespace", "cap-sys-ptrace", "root:web"...)
 * @param status PASS, WARN or FAIL
 * @param detail what was found
 * @param fix    what to change, for WARN and FAIL
 */
public record Check(String name, Status status, String detail, Optional<String> fix) {
    public enum Status { PASS, WARN, FAIL }

    public static Check pass(String name, String detail) {
        return new Check(name, Status.PASS, detail, Optional.empty());
    }

    public static Check warn(String name, String detail, String fix) {
        return new Check(name, Status.WARN, detail, Optional.ofNullable(fix));
    }

    public static Check fail(String name, String detail, String fix) {
        return new Check(name, Status.FAIL, detail, Optional.of(fix));
    }
}
