package io.taskscope.env;

import io.taskscope.TaskscopeException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs reads of a neighbour's memory (and of the files its environment is found through) on a
 * worker thread and gives up on them when one stalls.
 *
 * <p>Outside a ptrace stop the neighbour decides how its memory answers. A page registered with a
 * userfaultfd that nobody serves blocks process_vm_readv for good (measured here on 6.18: the
 * reader sleeps in handle_userfault, killable only; /proc/PID/mem returns EIO instead, but a page of a
 * stalled FUSE or NFS file blocks that too). No signal short of a fatal one wakes such a read, so
 * it is run where it can be abandoned: a daemon thread, left behind; the process exiting ends it.
 *
 * <p>Two clocks: a single read (one syscall, bracketed by {@link Stage#begin}/{@link Stage#end})
 * that has not returned after {@code stallMillis} is a stall, however busy the machine; the whole
 * work, CPU-bound parsing included, gets {@code totalMillis}, so a loaded machine slows it down
 * without failing it.
 */
final class Deadline {
    /** What the worker is reading, and since when the read in flight runs (0: none). */
    static final class Stage {
        private volatile String what = "starting";
        private volatile long since;

        void set(String what) {
            this.what = what;
        }

        /** A read that may block starts. */
        void begin() {
            since = System.nanoTime();
        }

        void end() {
            since = 0;
        }
    }

    interface Work<T> {
        T run(Stage stage);
    }

    private Deadline() {}

    static <T> T run(int pid, long stallMillis, long totalMillis, Work<T> work) {
        Stage stage = new Stage();
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(work.run(stage));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "taskscope-memory-reader-" + pid);
        t.setDaemon(true);
        long stall = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(totalMillis);
        t.start();
        try {
            while (true) {
                long now = System.nanoTime(), since = stage.since;
                long wake = Math.min(end, (since != 0 ? since : now) + stall);
                try {
                    return result.get(Math.max(1, wake - now), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    now = System.nanoTime();
                    since = stage.since;
                    if (since != 0 && now - since >= stall) throw stalled(pid, stallMillis, stage.what, true);
                    if (now - end >= 0) throw stalled(pid, totalMillis, stage.what, false);
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TaskscopeException.runtime("interrupted while reading the memory of process " + pid, null);
        }
    }

    static TaskscopeException stalled(int pid, long millis, String what, boolean oneRead) {
        List<String> uffds = userfaultfds(pid);
        String why = uffds.isEmpty()
                ? "the process (or a file its memory maps) does not answer"
                : "it holds a userfaultfd (fd " + String.join(", ", uffds) + "), and a page registered with it that "
                        + "nobody serves blocks every reader";
        return TaskscopeException.runtime("reading the memory of process " + pid + " (" + what + ") did not finish within "
                + millis + " ms" + (oneRead ? "" : " in all") + ": " + why + "; taskscope gave up on it",
                "the process stalls reads of its own memory; its start-up environment is in /proc/" + pid
                        + "/environ unless it overwrote it ('taskscope env' without --live)");
    }

    /** The fds of {@code pid} that are userfaultfds (at most the first 4,096 fds are looked at). */
    static List<String> userfaultfds(int pid) {
        List<String> out = new ArrayList<>();
        int seen = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                if (++seen > 4096) break;
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:[userfaultfd]")) out.add(fd.getFileName().toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: say nothing about userfaultfds
        }
        return out;
    }
}
