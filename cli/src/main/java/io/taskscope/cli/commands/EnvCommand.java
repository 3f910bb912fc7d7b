package io.taskscope.cli.commands;

import io.taskscope.cli.ExitCode;
import io.taskscope.cli.JsonOption;
import io.taskscope.cli.TargetArg;
import io.taskscope.env.EnvVar;
import io.taskscope.env.Environment;
import io.taskscope.env.EnvironReader;
import io.taskscope.fs.FsText;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "env", mixinStandardHelpOptions = true,
        description = {"Show a neighbour's environment, recovered from memory when procfs cannot.",
                "nginx and php-fpm write their process titles over /proc/PID/environ; taskscope then reads libc's "
                        + "environ pointer with process_vm_readv (no ptrace). Secrets are redacted unless --show-secrets."})
public class EnvCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin JsonOption json;

    @Parameters(paramLabel = "TARGET", description = "A PID, or a container name (its main process).")
    String target;

    @Option(names = "--show-secrets", description = "Show secret values instead of <redacted>: variables named like PASSWORD, SECRET, TOKEN, KEY, DSN, PAT... and secrets found by value (URL passwords, AWS keys, GitHub and Stripe tokens, JWTs, private keys; see docs/security.md).")
    boolean showSecrets;

    @Option(names = "--live", description = "Read the live environment from memory even when /proc/PID/environ is usable.")
    boolean live;

    @Override
    public Integer call() {
        Environment env = EnvironReader.read(TargetArg.pid(target), live ? EnvironReader.Mode.LIVE : EnvironReader.Mode.AUTO)
                .redacted(showSecrets);
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            out.println(FsCommand.json(env));
            return ExitCode.OK.code();
        }
        out.println("# pid " + env.pid() + " (" + FsText.printable(env.comm()) + "): source " + env.source().json()
                + (env.procfsProblem() == null ? "" : ", because " + FsText.printable(env.procfsProblem())));
        out.println("# " + FsText.printable(env.detail()));
        if (env.note() != null) out.println("# " + env.note());
        if (env.truncated()) out.println("# cut short by taskscope's limits");
        for (EnvVar v : env.variables()) out.println(FsText.printable(v.name()) + "=" + FsText.printable(v.value()));
        return ExitCode.OK.code();
    }
}
