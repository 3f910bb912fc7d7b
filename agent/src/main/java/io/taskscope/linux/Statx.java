package io.taskscope.linux;

/**
 * The fields of {@code struct statx} taskscope uses.
 *
 * @param mode      file type and permission bits (S_IFMT | 07777)
 * @param mtimeSec  modification time, seconds since the epoch
 */
public record Statx(int mode, long nlink, long uid, long gid, long size, long ino, long mtimeSec, long mtimeNsec,
                    int devMajor, int devMinor, int rdevMajor, int rdevMinor) {
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;

    public int type() {
        return mode & S_IFMT;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isRegular() {
        return type() == S_IFREG;
    }

    public boolean isSymlink() {
        return type() == S_IFLNK;
    }
}
