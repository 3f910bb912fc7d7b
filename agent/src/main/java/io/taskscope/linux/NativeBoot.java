package io.taskscope.linux;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.jar.JarEntry;

/**
 * Makes JNA start without its two per-run costs, before anything touches {@code com.sun.jna.Native}:
 *
 * <ul>
 *   <li>{@code NativeLibrary}'s static initializer runs {@code /sbin/ldconfig -p} (a fork and an
 *       exec) to find library directories unless {@code jna.platform.library.path} is set. We bind
 *       only {@code libc.so.6}, a versioned soname that dlopen finds without any search path, so
 *       the property is set to the standard directories and the child process never starts.
 *   <li>{@code Native} unpacks {@code libjnidispatch.so} from the jar into a new temporary file on
 *       every start (160 KiB written 1 KiB at a time) and deletes it at exit. It is unpacked once
 *       instead, into taskscope's cache directory under a name made of the jar entry's CRC and
 *       size, and {@code jna.boot.library.path} points there.
 * </ul>
 *
 * A cached library is used only from a directory and file owned by us and writable by nobody
 * else (a shared library that others could replace would run as root with CAP_SYS_PTRACE). On
 * any doubt or failure nothing is set, and JNA falls back to its own unpacking: slower, never wrong.
 * Measured: about 10 ms of a 145 ms {@code taskscope ps} on the 2-vCPU VM.
 */
public final class NativeBoot {
    private static boolean prepared;

    private NativeBoot() {}

    /** Binds {@code c}'s native methods to the C library, after {@link #prepare()}. */
    static void register(Class<?> c) {
        prepare();
        Native.register(c, Platform.C_LIBRARY_NAME);
    }

    /** Sets JNA's start-up properties once; idempotent, never throws. Call before any JNA class. */
    public static synchronized void prepare() {
        if (prepared) return;
        prepared = true;
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path", STANDARD_DIRS);
        }
        if (System.getProperty("jna.boot.library.path") != null || Boolean.getBoolean("taskscope.jna.unpack")) return;
        try {
            Path cache = cacheRoot();
            Path dir = cache == null ? null : cachedDispatchDir(cache);
            if (dir != null) System.setProperty("jna.boot.library.path", dir.toString());
        } catch (IOException | RuntimeException e) {
            // JNA unpacks it itself, as it would without us.
        }
    }

    private static final String STANDARD_DIRS = String.join(":",
            "/usr/lib/" + multiarch(), "/lib/" + multiarch(), "/usr/lib64", "/lib64", "/usr/lib", "/lib");

    private static String multiarch() {
        return (Platform.isARM() ? "aarch64" : "x86_64") + "-linux-gnu";
    }

    /**
     * The directory under {@code cache} holding this jar's libjnidispatch, unpacked there first when
     * missing; null when it cannot be trusted or JNA's library is not in a jar.
     */
    static Path cachedDispatchDir(Path cache) throws IOException {
        String name = System.mapLibraryName("jnidispatch");
        URL url = Native.class.getResource("/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + name);
        if (url == null || !"jar".equals(url.getProtocol())) return null; // JNA not in a jar: its own way
        JarEntry entry = ((JarURLConnection) url.openConnection()).getJarEntry();
        if (entry.getCrc() < 0 || entry.getSize() < 0) return null;
        // No String.format: its Formatter and locale data cost ~5 ms of start-up here.
        Path dir = cache.resolve("jna-" + Platform.RESOURCE_PREFIX + "-" + Long.toHexString(entry.getCrc()) + "-" + entry.getSize());
        Path lib = dir.resolve(name);
        if (!Files.exists(lib, LinkOption.NOFOLLOW_LINKS)) unpack(url, cache, dir, lib);
        boolean trusted = ownedByUsOnly(cache) && ownedByUsOnly(dir) && ownedByUsOnly(lib);
        return trusted && Files.size(lib) == entry.getSize() ? dir : null;
    }

    /** TASKSCOPE_CACHE, else $XDG_CACHE_HOME/taskscope, else $HOME/.cache/taskscope: where the launcher keeps its archives. */
    private static Path cacheRoot() {
        String explicit = System.getenv("TASKSCOPE_CACHE");
        if (explicit != null && !explicit.isEmpty()) return Path.of(explicit);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "taskscope");
        String home = System.getenv("HOME"); // as the launcher reads it; user.home comes from the passwd entry
        if (home == null || home.isEmpty()) home = System.getProperty("user.home");
        return home == null || home.isEmpty() || home.equals("?") ? null : Path.of(home, ".cache", "taskscope");
    }

    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    /** Writes the library under a private name and publishes it with one rename: a concurrent start never loads half a file. */
    private static void unpack(URL url, Path cache, Path dir, Path lib) throws IOException {
        Files.createDirectories(cache);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another start made it; the ownership check below decides whether we trust it
        }
        Path tmp = Files.createTempFile(dir, name(lib) + ".", ".tmp");
        try {
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-x------"));
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, lib);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    /** A directory or file, not a link, owned by our uid, with no group or other write bit. */
    private static boolean ownedByUsOnly(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) return false;
        Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // our effective uid, without a native call
        return uid.equals(me) && mode instanceof Integer m && (m & 022) == 0;
    }
}
