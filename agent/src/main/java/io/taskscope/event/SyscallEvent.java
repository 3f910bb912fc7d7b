package io.taskscope.event;

import java.util.List;

/**
 * One completed (or, at exit, unfinished) system call of a traced thread.
 *
 * @param timeNanos      entry time, epoch nanoseconds
 * @param pid            thread-group id in the monitor's PID namespace
 * @param tid            thread id in the monitor's PID namespace
 * @param container      container name, or null when unknown
 * @param comm           the thread's command name at the time of the call
 * @param uid            the thread's real uid
 * @param syscall        syscall name ("openat"), or "syscall_NNN" when unknown
 * @param args           arguments decoded as strace prints them, one string each
 * @param path           the first path argument, raw (not escaped), as seen inside the tracee; null if none
 * @param flags          the decoded open/access flags ("O_WRONLY|O_CREAT") when the call has them; null otherwise
 * @param ret            the raw return value (negative errno already split out: ret is -1 when errno is set)
 * @param errno          errno name ("ENOENT") when the call failed, null otherwise
 * @param durationMicros time from entry stop to exit stop, microseconds; -1 when unfinished
 * @param retPath        with -y, the path of the fd the call returned ({@code = 3</etc/hostname>}); null otherwise
 * @param coverage       for a process traced under a cost budget, the fraction of its time it has spent in syscall
 *                       mode so far (0..1): what share of its calls the stream can show; null when traced in full
 * @param retDetail      what strace prints after the return value when it comes from the tracee's memory (poll's
 *                       {@code ([{fd=5, revents=POLLIN}])}); null otherwise
 */
public record SyscallEvent(long timeNanos, int pid, int tid, String container, String comm, int uid,
                           String syscall, List<String> args, String path, String flags, long ret, String errno,
                           long durationMicros, String retPath, Double coverage, String retDetail) implements Event {

    public SyscallEvent(long timeNanos, int pid, int tid, String container, String comm, int uid, String syscall,
                        List<String> args, String path, String flags, long ret, String errno, long durationMicros,
                        String retPath, Double coverage) {
        this(timeNanos, pid, tid, container, comm, uid, syscall, args, path, flags, ret, errno, durationMicros, retPath,
                coverage, null);
    }

    public SyscallEvent(long timeNanos, int pid, int tid, String container, String comm, int uid, String syscall,
                        List<String> args, String path, String flags, long ret, String errno, long durationMicros,
                        String retPath) {
        this(timeNanos, pid, tid, container, comm, uid, syscall, args, path, flags, ret, errno, durationMicros, retPath,
                null, null);
    }

    public SyscallEvent(long timeNanos, int pid, int tid, String container, String comm, int uid, String syscall,
                        List<String> args, String path, String flags, long ret, String errno, long durationMicros) {
        this(timeNanos, pid, tid, container, comm, uid, syscall, args, path, flags, ret, errno, durationMicros, null, null,
                null);
    }

    /** The same call with other printed arguments (secrets masked: {@code env.Redaction.event}). */
    public SyscallEvent withArgs(List<String> newArgs) {
        return new SyscallEvent(timeNanos, pid, tid, container, comm, uid, syscall, newArgs, path, flags, ret, errno,
                durationMicros, retPath, coverage);
    }

    @Override
    public String type() {
        return "syscall";
    }

    public boolean failed() {
        return errno != null;
    }
}
