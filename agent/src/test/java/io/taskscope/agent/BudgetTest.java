package io.taskscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The budget's arithmetic: what a user's TASKSCOPE_BUDGET buys, on the numbers the agent measures. */
class BudgetTest {

    private static Budget.State measured(double rate, double workOn, double workOff) {
        Budget.State s = new Budget.State();
        s.rate = rate;
        s.workOn = workOn;
        s.workOff = workOff;
        return s;
    }

    @Test
    void aProcessEightTimesSlowerInSyscallModeSpendsASeventhOfItsBudgetThere() {
        // php-fpm under wrk: 8,000 reads and writes a second when lifecycle-traced, 1,000 in syscall mode
        Budget.State s = measured(2_000, 1_000, 8_000);
        double cost = Budget.cost(s, 20e-6, -1);
        assertEquals(7.0, cost, 1e-9);
        double duty = Budget.duty(cost, 0.05);
        assertEquals(0.05 / 7, duty, 1e-9);
        // one request at a time: the requests served in its spells take 8x as long, on average 5% more
        assertEquals(0.05, duty * 7, 1e-9);
        // saturated: it does (1 - duty) + duty / 8 of its untraced work, a loss under the budget
        assertTrue(1 - ((1 - duty) + duty / 8) < 0.05);
    }

    @Test
    void theTracersCpuOnItsBehalfCountsAgainstTheCpuTheProcessUses() {
        // 12,000 stops a second in syscall mode at 15 us of the tracer's CPU each (0.18 of a CPU), against 0.15
        // of a CPU the process uses itself: the tracer adds 1.2 to the 7.0 of its own slowdown
        Budget.State s = measured(12_000, 1_000, 8_000);
        s.cpuOff = 0.15;
        assertEquals(7.0 + 1.2, Budget.cost(s, 1e-6, 15e-6), 1e-9);
    }

    @Test
    void theStopModelDecidesWhenTheProcessDoesNotSlowDownButWaitsLonger() {
        // an open-loop server: the same calls a second in both modes, 20,000 stops a second at 25 us each =
        // 0.5 s stopped per second against 0.5 s of its own run time
        Budget.State s = measured(20_000, 5_000, 5_000);
        s.cpuOff = 0.5;
        assertEquals(1.0, Budget.cost(s, 25e-6, -1), 1e-9);
        assertEquals(0.05, Budget.duty(1.0, 0.05), 1e-9);
    }

    @Test
    void aQuietProcessStaysInSyscallMode() {
        Budget.State s = measured(50, 25, 25); // an idle server: 50 stops (25 calls) a second
        double cost = Budget.cost(s, 30e-6, 10e-6);
        assertTrue(cost < 0.05, "cost " + cost);
        assertEquals(1.0, Budget.duty(cost, 0.05));
    }

    @Test
    void spellsKeepTheShareWhateverTheTickGranularity() {
        double duty = 0.01;
        long on = Budget.onNanos(duty);
        assertEquals(Budget.MIN_ON_NANOS, on, "a spell shorter than a tick or two measures nothing");
        // the spell ended at the tick after its minimum: the lifecycle spell after it is sized on what it lasted
        long actualOn = on + 30_000_000L;
        long off = Budget.offNanos(actualOn, duty);
        assertEquals(duty, (double) actualOn / (actualOn + off), 1e-6);
        assertEquals(Budget.MIN_DUTY, Budget.duty(1e6, 0.05), "a floor, so that every process is seen now and then");
    }
}
