package io.taskscope.fs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;

/**
 * One file of a neighbour, as {@code lstat} sees it (a symlink is described, not followed,
 * unless it came from {@link RootedFs#stat}).
 *
 * @param path       path inside the target's root, as the container sees it
 * @param mode       permission bits only (07777)
 * @param owner      user name from the target's own /etc/passwd, or the uid as text
 * @param group      group name from the target's own /etc/group, or the gid as text
 * @param linkTarget the symlink's text for symlinks, otherwise null
 */
public record FileInfo(String path, String name, FileType type, int mode, long uid, long gid, String owner,
                       String group, long size, @JsonSerialize(using = ToStringSerializer.class) Instant mtime, long nlink, long inode, String linkTarget) {

    /** "-rwxr-xr-x" with setuid, setgid and sticky bits shown as ls shows them. */
    @JsonProperty("permissions")
    public String modeString() {
        char[] s = new char[10];
        s[0] = type.lsLetter();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) s[i + 1] = (mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-';
        if ((mode & 04000) != 0) s[3] = s[3] == 'x' ? 's' : 'S';
        if ((mode & 02000) != 0) s[6] = s[6] == 'x' ? 's' : 'S';
        if ((mode & 01000) != 0) s[9] = s[9] == 'x' ? 't' : 'T';
        return new String(s);
    }
}
