package io.taskscope.trace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.taskscope.linux.LibC;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Placement#COLOCATE}: pins a traced process's threads and the tracer thread to one CPU,
 * remembering the original masks so that every detach puts them back. Owned by the tracer thread.
 */
final class Affinity {
    private static final Logger log = LoggerFactory.getLogger(Affinity.class);
    private static final int MASK_BYTES = 128;

    private final Memory mask = new Memory(MASK_BYTES);
    private final long maskAddr = Pointer.nativeValue(mask);
    private final Map<Integer, byte[]> saved = new HashMap<>(); // by process; threads created later inherit the pin
    private byte[] tracerSaved;

    void colocate(int pid, int[] tids) {
        int cpu = ProcFs.processor(pid, pid);
        if (cpu < 0) return;
        byte[] original = get(pid);
        if (original == null) return;
        if (tracerSaved == null) tracerSaved = get(0);
        byte[] one = new byte[MASK_BYTES];
        one[cpu / 8] = (byte) (1 << (cpu % 8));
        try {
            for (int tid : tids) set(tid, one);
            set(0, one);
            saved.put(pid, original);
            log.debug("colocated {} ({} threads) and the tracer on CPU {}", pid, tids.length, cpu);
        } catch (LastErrorException e) {
            log.warn("cannot pin PID {} to CPU {} ({}); tracing without colocation", pid, cpu, e.getMessage());
            for (int tid : tids) restoreQuiet(tid, original);
        }
    }

    /** Before detaching one thread. */
    void restore(int pid, int tid) {
        byte[] original = saved.get(pid);
        if (original != null) restoreQuiet(tid, original);
    }

    void forget(int pid) {
        saved.remove(pid);
    }

    void releaseTracer() {
        if (tracerSaved != null) restoreQuiet(0, tracerSaved);
        tracerSaved = null;
    }

    private byte[] get(int tid) {
        try {
            mask.clear();
            LibC.sched_getaffinity(tid, MASK_BYTES, maskAddr);
            return mask.getByteArray(0, MASK_BYTES);
        } catch (LastErrorException e) {
            return null;
        }
    }

    private void set(int tid, byte[] bits) {
        mask.write(0, bits, 0, MASK_BYTES);
        LibC.sched_setaffinity(tid, MASK_BYTES, maskAddr);
    }

    private void restoreQuiet(int tid, byte[] bits) {
        try {
            set(tid, bits);
        } catch (LastErrorException e) {
            // the thread is gone
        }
    }
}
