package io.taskscope.fs;

import io.taskscope.text.Bytes;
import com.sun.jna.LastErrorException;
import io.taskscope.linux.Errno;
import io.taskscope.linux.Fs;
import io.taskscope.linux.Statx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolution in user space for kernels without openat2, with the same meaning as
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: one component at a time with O_PATH|O_NOFOLLOW,
 * symlinks read from the very inode that was opened (readlinkat on the O_PATH fd, so a link
 * swapped mid-walk cannot redirect an already-taken step), absolute symlinks restart at the root,
 * and ".." pops the stack of directories this walk opened rather than asking the kernel for the
 * parent: a directory moved out of the root cannot carry the walk with it.
 *
 * <p>Every symlink on procfs is refused, /proc/self and /proc/thread-self included: openat2 follows
 * those (they are not magic links), and in a shared PID namespace they name the reader, taskscope,
 * so RootedFs also refuses an openat2 result on procfs that was reached through a symlink.
 *
 * <p>Also used, on either kernel, to explain a failure: it records where a path tried to leave the root.
 */
final class WalkResolver implements Resolver {
    static final int MAX_SYMLINKS = 40;

    /** Where a walk met something that points outside the root. */
    record Note(Kind kind, String at, String target) {
        enum Kind { ABSOLUTE_SYMLINK, DOTDOT_ABOVE_ROOT, MAGIC_LINK }

        String describe() {
            return switch (kind) {
                case ABSOLUTE_SYMLINK -> at + " is a symlink to the absolute path " + target
                        + ", resolved inside the target's root";
                case DOTDOT_ABOVE_ROOT -> "'..' would climb above the target's root";
                case MAGIC_LINK -> at + " is a /proc magic link";
            };
        }
    }

    @Override
    public int resolve(int rootFd, String path, boolean followFinal) {
        return resolve(rootFd, path, followFinal, new ArrayList<>());
    }

    @Override
    public String name() {
        return "walk";
    }

    static int resolve(int rootFd, String path, boolean followFinal, List<Note> notes) {
        Deque<byte[]> todo = new ArrayDeque<>();
        pushFront(todo, Bytes.encode(path));
        Deque<Integer> dirs = new ArrayDeque<>();     // fds below the root, innermost first
        Deque<String> names = new ArrayDeque<>();     // their names, for notes
        int symlinks = 0;
        try {
            while (!todo.isEmpty()) {
                byte[] c = todo.pollFirst();
                String cName = Bytes.decode(c);
                if (cName.equals("..")) {
                    if (dirs.isEmpty()) {
                        notes.add(new Note(Note.Kind.DOTDOT_ABOVE_ROOT, display(names), null));
                    } else {
                        Fs.closeQuietly(dirs.pop());
                        names.pop();
                    }
                    continue;
                }
                int cur = dirs.isEmpty() ? rootFd : dirs.peek();
                int fd = Fs.openat(cur, c, Fs.O_PATH | Fs.O_NOFOLLOW | Fs.O_CLOEXEC);
                Statx st;
                try {
                    st = Fs.fstat(fd);
                } catch (LastErrorException e) {
                    Fs.closeQuietly(fd);
                    throw e;
                }
                boolean last = todo.isEmpty();
                if (st.isSymlink() && (!last || followFinal)) {
                    String at = display(names) + "/" + cName;
                    byte[] target;
                    try {
                        if (Fs.fstatfsType(fd) == Fs.PROC_SUPER_MAGIC) {
                            notes.add(new Note(Note.Kind.MAGIC_LINK, at, null));
                            throw new LastErrorException(Errno.ELOOP);
                        }
                        target = Fs.readlinkat(fd, new byte[0]);
                    } finally {
                        Fs.closeQuietly(fd);
                    }
                    if (++symlinks > MAX_SYMLINKS) throw new LastErrorException(Errno.ELOOP);
                    if (target.length == 0) throw new LastErrorException(Errno.ENOENT);
                    if (target[0] == '/') {
                        notes.add(new Note(Note.Kind.ABSOLUTE_SYMLINK, at, Bytes.decode(target)));
                        while (!dirs.isEmpty()) Fs.closeQuietly(dirs.pop());
                        names.clear();
                    }
                    pushFront(todo, target);
                    continue;
                }
                if (!last && !st.isDirectory()) {
                    Fs.closeQuietly(fd);
                    throw new LastErrorException(Errno.ENOTDIR);
                }
                dirs.push(fd);
                names.push(cName);
            }
            if (dirs.isEmpty()) return Fs.openat(rootFd, Fs.bytes("."), Fs.O_PATH | Fs.O_CLOEXEC);
            return dirs.pop();
        } finally {
            while (!dirs.isEmpty()) Fs.closeQuietly(dirs.pop());
        }
    }

    /** Puts the components of {@code path} in front of {@code todo}, in order, skipping "" and ".". */
    private static void pushFront(Deque<byte[]> todo, byte[] path) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                if (i > start && !(i - start == 1 && path[start] == '.')) {
                    byte[] part = new byte[i - start];
                    System.arraycopy(path, start, part, 0, part.length);
                    parts.add(part);
                }
                start = i + 1;
            }
        }
        for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
    }

    private static String display(Deque<String> names) {
        StringBuilder sb = new StringBuilder();
        var it = names.descendingIterator();
        while (it.hasNext()) sb.append('/').append(it.next());
        return sb.toString();
    }
}
