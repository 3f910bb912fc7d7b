package io.taskscope.fs;

/**
 * Turns a path inside a target's root into an O_PATH file descriptor, never leaving that root.
 * Throws {@link com.sun.jna.LastErrorException} with errno when the path cannot be resolved.
 */
sealed interface Resolver permits Openat2Resolver, WalkResolver {
    /**
     * @param rootFd      an O_PATH directory fd of the target's root
     * @param followFinal whether a symlink as the last component is followed (stat) or described (lstat)
     * @return an O_PATH|O_CLOEXEC fd the caller closes
     */
    int resolve(int rootFd, String path, boolean followFinal);

    /** "openat2" or "walk", for diagnostics and tests. */
    String name();
}
