package io.taskscope.taskdef;

import java.util.List;
import java.util.Optional;

/**
 * The result of linting one task definition.
 *
 * @param source   the file (or "-" for standard input)
 * @param monitor  the container taken for taskscope's, when one was found
 * @param findings in the order of the file, errors and warnings mixed
 */
public record LintReport(String source, Optional<String> monitor, List<Finding> findings) {

    public long errors() {
        return findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
    }

    public long warnings() {
        return findings.stream().filter(f -> f.severity() == Finding.Severity.WARNING).count();
    }
}
