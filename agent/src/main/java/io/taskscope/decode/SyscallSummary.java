package io.taskscope.decode;

import io.taskscope.event.SyscallEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code -c}: counts calls, errors and time per syscall and prints strace's summary table
 * (sorted by time, then calls). Fed from the writer thread only.
 */
public final class SyscallSummary {
    private static final class Row {
        final String name;
        long calls, errors, micros;

        Row(String name) {
            this.name = name;
        }
    }

    private final Map<String, Row> rows = new HashMap<>();

    public void add(SyscallEvent e) {
        if (e.durationMicros() < 0) return;
        Row r = rows.computeIfAbsent(e.syscall(), Row::new);
        r.calls++;
        if (e.errno() != null) r.errors++;
        r.micros += e.durationMicros();
    }

    public void print(PrintWriter out) {
        List<Row> sorted = new ArrayList<>(rows.values());
        sorted.sort((a, b) -> a.micros != b.micros ? Long.compare(b.micros, a.micros)
                : a.calls != b.calls ? Long.compare(b.calls, a.calls) : a.name.compareTo(b.name));
        long totalMicros = 0, totalCalls = 0, totalErrors = 0;
        for (Row r : sorted) {
            totalMicros += r.micros;
            totalCalls += r.calls;
            totalErrors += r.errors;
        }
        out.println("% time     seconds  usecs/call     calls    errors syscall");
        out.println("------ ----------- ----------- --------- --------- ----------------");
        for (Row r : sorted) {
            double pct = totalMicros == 0 ? 0 : 100.0 * r.micros / totalMicros;
            out.println(String.format(Locale.ROOT, "%6.2f %11.6f %11d %9d %9s %s", pct, r.micros / 1e6,
                    r.calls == 0 ? 0 : r.micros / r.calls, r.calls, r.errors == 0 ? "" : Long.toString(r.errors), r.name));
        }
        out.println("------ ----------- ----------- --------- --------- ----------------");
        out.println(String.format(Locale.ROOT, "%6.2f %11.6f %11d %9d %9s %s", 100.0, totalMicros / 1e6,
                totalCalls == 0 ? 0 : totalMicros / totalCalls, totalCalls, totalErrors == 0 ? "" : Long.toString(totalErrors), "total"));
        out.flush();
    }
}
