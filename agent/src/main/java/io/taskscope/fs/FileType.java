package io.taskscope.fs;

import io.taskscope.linux.Statx;

/** File types, with the letter {@code ls -l} and {@code find -type} use. */
public enum FileType {
    FILE('-', 'f', "regular file"), DIRECTORY('d', 'd', "directory"), SYMLINK('l', 'l', "symbolic link"),
    CHAR_DEVICE('c', 'c', "character device"), BLOCK_DEVICE('b', 'b', "block device"), FIFO('p', 'p', "fifo"),
    SOCKET('s', 's', "socket"), UNKNOWN('?', '?', "unknown");

    private final char lsLetter;
    private final char findLetter;
    private final String description;

    FileType(char lsLetter, char findLetter, String description) {
        this.lsLetter = lsLetter;
        this.findLetter = findLetter;
        this.description = description;
    }

    public char lsLetter() {
        return lsLetter;
    }

    public char findLetter() {
        return findLetter;
    }

    public String description() {
        return description;
    }

    public static FileType of(int mode) {
        return switch (mode & Statx.S_IFMT) {
            case Statx.S_IFREG -> FILE;
            case Statx.S_IFDIR -> DIRECTORY;
            case Statx.S_IFLNK -> SYMLINK;
            case Statx.S_IFCHR -> CHAR_DEVICE;
            case Statx.S_IFBLK -> BLOCK_DEVICE;
            case Statx.S_IFIFO -> FIFO;
            case Statx.S_IFSOCK -> SOCKET;
            default -> UNKNOWN;
        };
    }

    /** The type for a {@code find -type} letter (f, d, l, c, b, p, s). */
    public static java.util.Optional<FileType> byFindLetter(char c) {
        for (FileType t : values()) if (t.findLetter == c && t != UNKNOWN) return java.util.Optional.of(t);
        return java.util.Optional.empty();
    }
}
