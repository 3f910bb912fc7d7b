package io.taskscope.cli;

import picocli.CommandLine.Option;

/** Mixin: {@code --json}, machine-readable output with the documented field names. */
public class JsonOption {
    @Option(names = "--json", description = "Print JSON (fields: docs/json.md).")
    public boolean json;
}
