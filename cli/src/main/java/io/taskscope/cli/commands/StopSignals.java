package io.taskscope.cli.commands;

/**
 * Turns SIGINT and SIGTERM into a callback instead of JVM shutdown, so that a long-running
 * command (trace) can detach cleanly and still exit 0, as strace does when interrupted.
 */
final class StopSignals {
    private StopSignals() {}

    @SuppressWarnings("removal")
    static void onInterrupt(Runnable action) {
        io.taskscope.linux.Signals.unignoreInterrupts(); // started with '&' from a script: SIGINT came ignored
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
            } catch (IllegalArgumentException e) {
                // the signal is reserved (e.g. -Xrs); the shutdown hook still detaches
            }
        }
    }
}
