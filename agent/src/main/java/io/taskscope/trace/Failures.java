package io.taskscope.trace;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors met while handling single stops: a decoder's exception, a policy's, a vanished /proc entry read in a
 * way nobody expected. Each is counted and logged once per kind (where, which call, which exception), and the
 * tracer goes on: no single event may end the loop and detach every tracee. Tracer thread only.
 */
final class Failures {
    private static final Logger log = LoggerFactory.getLogger(Failures.class);
    private static final int MAX_KINDS = 256;

    private final Set<String> seen = new HashSet<>();
    long count;

    void record(String where, String call, Throwable e) {
        count++;
        String kind = where + "/" + call + "/" + e.getClass().getName();
        if (seen.size() < MAX_KINDS && seen.add(kind)) {
            log.warn("tracer: {} of {} failed ({}); the call is reported raw and tracing goes on; further such "
                    + "failures are counted, not logged", where, call, e.toString());
            log.debug("tracer failure", e);
        }
    }
}
