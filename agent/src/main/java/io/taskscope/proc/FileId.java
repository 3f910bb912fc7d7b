package io.taskscope.proc;

/** A file's identity: device and inode, as stat(2) reports them. Used for root directories. */
public record FileId(long dev, long ino) {
    @Override
    public String toString() {
        return Long.toHexString(dev) + ":" + ino;
    }
}
