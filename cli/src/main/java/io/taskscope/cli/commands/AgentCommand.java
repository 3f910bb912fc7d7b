package io.taskscope.cli.commands;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.taskscope.agent.Agent;
import io.taskscope.agent.AgentConfig;
import io.taskscope.cli.ExitCode;
import io.taskscope.rules.RuleLoader;
import io.taskscope.rules.RuleSet;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the long-lived sidecar daemon: trace the task's processes and write events as JSON lines"
                + " on stdout (for the awslogs driver), with alerts from rules and CloudWatch EMF metrics.",
                "Configured by TASKSCOPE_* environment variables over an optional config file; see docs/agent.md."},
        footer = {"", "Environment:",
                "  TASKSCOPE_CONTAINERS      container name globs to trace (comma-separated); default: every neighbour",
                "  TASKSCOPE_COMMAND         regex searched in the command line of processes to trace",
                "  TASKSCOPE_EXES            executable path globs to trace",
                "  TASKSCOPE_MODE            lifecycle (default: fork, exec, exit only; failed execs are not seen) or syscall",
                "  TASKSCOPE_ESCALATE        shells, programs from /tmp, children of web workers to syscall mode (default true)",
                "  TASKSCOPE_SYSCALL_CONTAINERS, _EXES, _COMMAND  processes traced in syscall mode continuously",
                "  TASKSCOPE_BUDGET          their cost budget, duty-cycled (default 5%%; none: no limit); docs/modes.md",
                "  TASKSCOPE_SENSITIVE_FILES files whose opens are watched with inotify (default /etc/shadow,...; none)",
                "  TASKSCOPE_FILTER          strace -e for syscall mode, space-separated (default trace=%%file,%%process,ptrace,...);",
                "                            the syscalls the rules need are added (logged at start; --check)",
                "  TASKSCOPE_FOLLOW          follow forks (default true)",
                "  TASKSCOPE_WATCH           CONTAINER:/dir,... watched with inotify",
                "  TASKSCOPE_RULES           Falco rule files (comma-separated), loaded in order after the shipped ones;",
                "                            TASKSCOPE_DEFAULT_RULES=false drops the shipped ones (docs/rules.md)",
                "  TASKSCOPE_METRICS_INTERVAL  EMF metrics interval (default 60s; off disables)",
                "  TASKSCOPE_METRICS_NAMESPACE CloudWatch namespace (default taskscope)",
                "  TASKSCOPE_SOCKET          control socket (default /run/taskscope/agent.sock)",
                "  TASKSCOPE_QUEUE           events buffered before drops (default 16384)",
                "  TASKSCOPE_SCAN_INTERVAL   /proc scan for new processes (default 500ms)",
                "  TASKSCOPE_STRING_LIMIT    longest string argument, like strace -s (default 256)",
                "  TASKSCOPE_CONFIG          config file (YAML or JSON), overridden by the variables above"})
public class AgentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (YAML, or JSON by its .json name).")
    Path config;

    @Option(names = "--check", description = "Validate the configuration and the Falco rule files; print which rules run,"
            + " which are skipped and why, which syscall events they need on which containers, and the syscall filter"
            + " the agent traces with (TASKSCOPE_FILTER plus what the rules need); exit 0.")
    boolean check;

    @Option(names = "--list-rules", description = "Print the rules that would be loaded (name, priority, source file,"
            + " description) and exit.")
    boolean listRules;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        List<String> warnings = new ArrayList<>();
        AgentConfig cfg = AgentConfig.load(System.getenv(), Optional.ofNullable(config), warnings);
        for (String w : warnings) err.println("taskscope agent: warning: " + w);
        err.flush();
        java.util.function.Predicate<String> isSyscall = name -> io.taskscope.decode.SyscallTable.current().byName(name).isPresent();
        RuleSet rules = RuleLoader.load(cfg.defaultRules(), cfg.ruleFiles(), isSyscall);
        if (listRules) {
            out.print(RulesReport.list(rules));
            out.flush();
            return ExitCode.OK.code();
        }
        if (check) {
            // what a real start would reject (a bad TASKSCOPE_FILTER), --check rejects; its line is what the agent logs
            var ruleFilter = io.taskscope.agent.RuleFilter.of(cfg.filter(), rules);
            out.print(RulesReport.check(rules, rules.requirements(isSyscall)));
            out.println(ruleFilter.describe());
            out.println("configuration ok: " + summary(cfg, rules));
            out.flush();
            return ExitCode.OK.code();
        }
        for (String w : rules.warnings()) err.println("taskscope agent: rules: " + w);
        // The agent's own diagnostics (what it traces, what it could not) are worth seeing by default.
        Logger agentLog = (Logger) LoggerFactory.getLogger("io.taskscope.agent");
        // (--debug has set the root to DEBUG: keep that)
        if (agentLog.getEffectiveLevel().isGreaterOrEqual(Level.WARN)) agentLog.setLevel(Level.INFO);
        // From here a SIGTERM is a clean stop, also while the agent starts (its socket answers before start returns).
        var signalled = Agent.catchStopSignals();
        // Events go straight to fd 1: System.out's PrintStream swallows write errors.
        Agent agent = Agent.start(cfg, rules, new FileOutputStream(FileDescriptor.out));
        err.println("taskscope agent: started: " + summary(cfg, rules) + "; tracing " + agent.tracees().size()
                + " processes");
        err.flush();
        agent.runUntilSignalled(signalled);
        return ExitCode.OK.code();
    }

    private static String modes(io.taskscope.agent.ModeConfig m) {
        return m.base().label() + " mode" + (m.escalate() ? " with escalation" : "")
                + (m.syscall().isEmpty() ? "" : ", syscall mode for " + m.syscall()
                + (m.budgeted() ? " under a " + Math.round(m.budget() * 1000) / 10.0 + "% budget" : " in full"))
                + (m.sensitive().isEmpty() ? "" : ", " + m.sensitive().size() + " sensitive paths watched");
    }

    private static String summary(AgentConfig c, RuleSet rules) {
        return "select " + (c.select().isEmpty() ? "every neighbour container" : c.select()) + ", filter "
                + String.join(" ", c.filter()) + (c.follow() ? ", following forks" : "") + ", " + rules.size() + " rules"
                + ", " + modes(c.modes())
                + (c.watch().isEmpty() ? "" : ", watching " + c.watch().stream().map(w -> w.container() + ":" + w.path()).toList())
                + ", metrics " + (c.metricsInterval().isZero() ? "off" : "every " + c.metricsInterval().toSeconds() + "s")
                + ", socket " + c.socket();
    }
}
