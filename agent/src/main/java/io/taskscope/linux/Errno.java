package io.taskscope.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * errno numbers, names and strerror texts, as data generated from the kernel's headers
 * ({@code tools/gen-errno.py} writes {@code errno.tsv}). The numbers are the asm-generic ones,
 * which x86_64 and aarch64 share.
 */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, EBADF = 9, ECHILD = 10,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
            ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSYS = 38, ELOOP = 40, ENODATA = 61,
            EOPNOTSUPP = 95, E2BIG = 7;

    private static final int MAX = 600;
    private static final String[] NAMES = new String[MAX];
    private static final String[] MESSAGES = new String[MAX];

    static {
        try (var in = Errno.class.getResourceAsStream("errno.tsv");
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t", 3);
                int n = Integer.parseInt(f[0]);
                NAMES[n] = f[1];
                MESSAGES[n] = f[2];
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Errno() {}

    /** "ENOENT", or "E123" for a number the table does not know (strace prints the number too). */
    public static String name(int errno) {
        return errno > 0 && errno < MAX && NAMES[errno] != null ? NAMES[errno] : "E" + errno;
    }

    /** "No such file or directory", or "Unknown error 123" like glibc. */
    public static String message(int errno) {
        return errno > 0 && errno < MAX && MESSAGES[errno] != null ? MESSAGES[errno] : "Unknown error " + errno;
    }

    /** "ENOENT (No such file or directory)", the shape strace uses after "= -1". */
    public static String describe(int errno) {
        return name(errno) + " (" + message(errno) + ")";
    }

    /** The number for a name such as "ENOENT", or -1. */
    public static int byName(String name) {
        for (int i = 0; i < MAX; i++) if (name.equals(NAMES[i])) return i;
        return -1;
    }
}
