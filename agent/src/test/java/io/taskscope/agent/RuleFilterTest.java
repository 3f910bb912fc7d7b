package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.decode.SyscallFilter;
import io.taskscope.decode.SyscallTable;
import io.taskscope.rules.RuleLoader;
import io.taskscope.rules.RuleSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TASKSCOPE_FILTER plus what the loaded rules need: the names added, for which rules, in strace's language. */
class RuleFilterTest {
    private static final SyscallTable TABLE = SyscallTable.current();

    private static RuleSet rules(String yaml) {
        return new RuleLoader().addText("t.yaml", yaml).build();
    }

    private static boolean traces(List<String> expressions, String syscall) {
        return SyscallFilter.parse(expressions).selection(TABLE)[TABLE.byName(syscall).orElseThrow().number()];
    }

    private static final String CONNECT = "- rule: c\n  desc: d\n  condition: evt.type = connect and container.name = app\n"
            + "  output: o\n  priority: WARNING\n"
            + "- rule: w\n  desc: d\n  condition: evt.type in (connect, write)\n  output: o\n  priority: WARNING\n"
            + "- rule: any\n  desc: d\n  condition: proc.name = nc\n  output: o\n  priority: WARNING\n";

    @Test
    void theRulesSyscallsAreAddedToTheLastTraceExpression() {
        RuleFilter f = RuleFilter.of(List.of("trace=%file,%process", "status=all"), rules(CONNECT));
        assertEquals(List.of("trace=%file,%process,connect,write", "status=all"), f.expressions());
        assertEquals(Map.of("connect", List.of("c", "w"), "write", List.of("w")), f.added());
        assertEquals(List.of("any"), f.anyType(), "a rule naming no evt.type does not widen the filter to everything");
        assertTrue(traces(f.expressions(), "connect") && traces(f.expressions(), "openat"));
        assertFalse(traces(f.expressions(), "read"), "nothing but what the rules name is added");
        assertEquals("syscall filter: TASKSCOPE_FILTER plus, for the rules, connect (c, w); write (w); rules naming no evt.type"
                + " see only the filter's syscalls: any; rules on syscalls see only processes in syscall mode (escalated,"
                + " budgeted, TASKSCOPE_SYSCALL_CONTAINERS)", f.describe());
    }

    @Test
    void aFilterThatCoversTheRulesIsKeptAsItIs() {
        RuleFilter f = RuleFilter.of(AgentConfig.DEFAULT_FILTER, new RuleLoader().addDefaults().build());
        assertEquals(AgentConfig.DEFAULT_FILTER, f.expressions(), "the shipped rules need nothing the default filter leaves out");
        assertEquals(Map.of(), f.added());
        assertTrue(f.describe().startsWith("syscall filter: TASKSCOPE_FILTER covers every syscall the rules name"), f.describe());
        List<String> all = List.of("status=failed"); // no trace= expression: everything is traced already
        assertEquals(all, RuleFilter.of(all, rules(CONNECT)).expressions());
    }

    @Test
    void aNegatedSetLosesTheAddedNamesOrIsSpelledOut() {
        assertEquals(List.of("trace=!read"), RuleFilter.of(List.of("trace=!connect,read"), rules(CONNECT)).expressions());
        assertEquals(List.of("trace=all"), RuleFilter.of(List.of("trace=!connect,write"), rules(CONNECT)).expressions());
        // a negated class cannot lose a name: the syscalls it selects, spelled out, plus the rules'
        RuleFilter f = RuleFilter.of(List.of("trace=!%network"), rules(CONNECT));
        assertEquals(1, f.expressions().size());
        boolean[] before = SyscallFilter.parse(List.of("trace=!%network")).selection(TABLE);
        boolean[] after = SyscallFilter.parse(f.expressions()).selection(TABLE);
        List<String> more = new java.util.ArrayList<>();
        for (var sc : TABLE.all()) {
            int nr = sc.number();
            assertTrue(!before[nr] || after[nr], sc.name() + " was traced and is no longer");
            if (after[nr] && !before[nr]) more.add(sc.name());
        }
        assertEquals(List.of("connect"), more);
    }
}
