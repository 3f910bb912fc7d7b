package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Where env recovery looks for the environ pointer: every mapped C library, not just the first. */
class ModulesTest {
    @Test
    void aDecoyLibcMappedFirstDoesNotHideTheRealOne() {
        List<Mapping> maps = List.of(
                Mapping.parse("7f0000000000-7f0000001000 r--p 00000000 08:01 111 /tmp/decoy/libc.so.6").orElseThrow(),
                Mapping.parse("7f1000000000-7f1000028000 r--p 00000000 08:01 222 /usr/lib/x86_64-linux-gnu/libc.so.6").orElseThrow(),
                Mapping.parse("7f1000028000-7f10001bd000 r-xp 00028000 08:01 222 /usr/lib/x86_64-linux-gnu/libc.so.6").orElseThrow());
        // pid 0: no /proc/0/exe, so only the libraries count
        List<EnvironReader.Module> modules = EnvironReader.modules(0, maps);
        assertEquals(List.of("/tmp/decoy/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                modules.stream().map(EnvironReader.Module::path).toList(), "both are tried, in address order");
        assertEquals(0x7f1000000000L, modules.get(1).base(), "the real one's load base is its offset-0 mapping");
    }
}
