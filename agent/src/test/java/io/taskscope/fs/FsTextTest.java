package io.taskscope.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FsTextTest {
    @Test
    void hostileNamesCannotRepaintTheTerminal() {
        assertEquals("evil\\x1b[2Jname\\n", FsText.printable("evil\u001b[2Jname\n"));
        assertEquals("a\\\\b", FsText.printable("a\\b"));
        assertEquals("caf\u00e9.php", FsText.printable("caf\u00e9.php"));
    }

    @Test
    void modeStringsMatchLs() {
        FileInfo f = new FileInfo("/x", "x", FileType.FILE, 04755, 0, 0, "root", "root", 1, Instant.EPOCH, 1, 1, null);
        assertEquals("-rwsr-xr-x", f.modeString());
        FileInfo d = new FileInfo("/t", "t", FileType.DIRECTORY, 01777, 0, 0, "root", "root", 1, Instant.EPOCH, 2, 1, null);
        assertEquals("drwxrwxrwt", d.modeString());
        assertEquals(List.of("drwxrwxrwt 2 root root 1 1970-01-01 00:00 t"), FsText.lsLines(List.of(d)));
    }

    @Test
    void passwdParsingToleratesJunk() {
        var users = Accounts.parse("root:x:0:0::/root:/bin/sh\n#comment\nbroken\nwww-data:x:33:33::/:/bin/false\nbad:x:notanumber:1\nroot2:x:0:0\n");
        assertEquals("root", users.get(0L));
        assertEquals("www-data", users.get(33L));
        assertEquals(2, users.size());
    }
}
