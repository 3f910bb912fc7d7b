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
    void aProcessEightTimesSlowerInSyscallModeSpendsBudgetOverSevenEighthsOfItsTimeThere() {
        // php-fpm under wrk: 8,000 reads and writes a second when lifecycle-traced, 1,000 in syscall mode
        Budget.State s = measured(2_000, 1_000, 8_000);
        double cost = Budget.cost(s, 20e-6, -1);
        assertEquals(0.875, cost, 1e-9);
        double duty = Budget.duty(cost, 0.05);
        assertEquals(0.05 / 0.875, duty, 1e-9);
        // the progress it loses: (1 - duty) x 1 + duty x 1/8 of untraced = 95%
        assertEquals(0.95, (1 - duty) + duty / 8, 1e-9);
    }

    @Test
    void theStopModelDecidesWhenTheProcessDoesNotSlowDownButWaitsLonger() {
        // an open-loop server: the same calls a second in both modes, but 20,000 stops a second at 25 us each:
        // half of each second stopped
        Budget.State s = measured(20_000, 5_000, 5_000);
        assertEquals(0.5, Budget.cost(s, 25e-6, -1), 1e-9);
        assertEquals(0.1, Budget.duty(0.5, 0.05), 1e-9);
    }

    @Test
    void theTracersCpuOnItsBehalfCountsAgainstTheCpuTheProcessUses() {
        // php-fpm on the lab: 8x slower in syscall mode, 12,000 stops a second there at 15 us of the tracer's CPU
        // each (0.18 of a CPU), against 0.15 of a CPU it uses itself: the tracer's share adds 1.2
        Budget.State s = measured(12_000, 1_000, 8_000);
        s.cpuOff = 0.15;
        assertEquals(0.875 + 1.2, Budget.cost(s, 20e-6, 15e-6), 1e-9);
        assertEquals(0.05 / 2.075, Budget.duty(Budget.cost(s, 20e-6, 15e-6), 0.05), 1e-9);
    }

    @Test
    void aQuietProcessStaysInSyscallMode() {
        Budget.State s = measured(50, 25, 25); // an idle server: 50 stops (25 calls) a second
        double cost = Budget.cost(s, 30e-6, -1);
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
        assertEquals(Budget.MIN_DUTY, Budget.duty(1.0, 0.001), "a floor, so that every process is seen now and then");
    }
}
