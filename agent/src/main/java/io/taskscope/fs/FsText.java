package io.taskscope.fs;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Text output of the fs commands: ls -l lines, stat blocks, names made safe for a terminal. */
public final class FsText {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.nnnnnnnnn 'UTC'")
            .withZone(ZoneOffset.UTC);

    private FsText() {}

    /** A neighbour's string made safe for a terminal: {@link io.taskscope.text.Escape#text}. */
    public static String printable(String s) {
        return io.taskscope.text.Escape.text(s);
    }

    /** ls -l lines, columns aligned over the whole listing. Times are UTC. */
    public static List<String> lsLines(List<FileInfo> files) {
        int links = 1, owner = 1, group = 1, size = 1;
        for (FileInfo f : files) {
            links = Math.max(links, Long.toString(f.nlink()).length());
            owner = Math.max(owner, printable(f.owner()).length());
            group = Math.max(group, printable(f.group()).length());
            size = Math.max(size, Long.toString(f.size()).length());
        }
        String fmt = "%s %" + links + "d %-" + owner + "s %-" + group + "s %" + size + "d %s %s%s";
        return files.stream().map(f -> String.format(fmt, f.modeString(), f.nlink(), printable(f.owner()),
                printable(f.group()), f.size(), TIME.format(f.mtime()), printable(f.name()),
                f.linkTarget() == null ? "" : " -> " + printable(f.linkTarget()))).toList();
    }

    /** A stat(1)-like block. */
    public static String statBlock(FileInfo f) {
        return "  File: " + printable(f.path()) + (f.linkTarget() == null ? "" : " -> " + printable(f.linkTarget())) + "\n"
                + "  Type: " + f.type().description() + "\n"
                + "  Size: " + f.size() + "\tLinks: " + f.nlink() + "\tInode: " + f.inode() + "\n"
                + "Access: (" + String.format("%04o", f.mode()) + "/" + f.modeString() + ")  Uid: (" + f.uid() + "/"
                + printable(f.owner()) + ")  Gid: (" + f.gid() + "/" + printable(f.group()) + ")\n"
                + "Modify: " + FULL.format(f.mtime());
    }
}
