package io.taskscope.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatTest {
    private static final String TAIL = " 1 1 1 0 -1 4194560 100 0 2 0 12 3 0 0 20 0 1 0 500 9216000 512 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

    @Test
    void commWithSpacesAndParenthesesIsCutAtTheLastParenthesis() {
        ProcStat s = ProcStat.parse("30 (my (odd) proc) x) S" + TAIL).orElseThrow();
        assertEquals(30, s.pid());
        assertEquals("my (odd) proc) x", s.comm());
        assertEquals('S', s.state());
        assertEquals(1, s.ppid());
        assertEquals(500, s.get(StatField.STARTTIME));
        assertEquals(9216000, s.get(StatField.VSIZE));
        assertEquals(512, s.get(StatField.RSS));
        assertEquals(12, s.get(StatField.UTIME));
        assertEquals(-1, s.get(StatField.TPGID));
        assertEquals(-1, s.get(StatField.RSSLIM), "RLIM_INFINITY wraps like an unsigned 64-bit number");
        assertEquals(1, s.get(StatField.PROCESSOR));
    }

    @Test
    void emptyCommAndCommThatIsOnlyAParenthesis() {
        assertEquals("", ProcStat.parse("5 () R" + TAIL).orElseThrow().comm());
        assertEquals(")", ProcStat.parse("5 ()) R" + TAIL).orElseThrow().comm());
    }

    @Test
    void kernelThreadFlagAndZombieState() {
        ProcStat k = ProcStat.parse("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 "
                + "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0").orElseThrow();
        assertTrue(k.kernelThread());
        ProcStat z = ProcStat.parse("45 (php-fpm) Z" + TAIL).orElseThrow();
        assertTrue(z.zombie());
        assertFalse(z.kernelThread());
    }

    @Test
    void truncatedOrForeignLinesAreRejectedNotThrown() {
        assertTrue(ProcStat.parse("").isEmpty());
        assertTrue(ProcStat.parse("12 (x").isEmpty());
        assertTrue(ProcStat.parse("12 (x) S 1 2 3").isEmpty());
        assertTrue(ProcStat.parse("garbage (x) S" + TAIL).isEmpty());
    }
}
