package io.taskscope.taskdef;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fargate's task sizes: the CPU units and, for each, the memory (MiB) it accepts (AWS documents the table
 * under the task definition's {@code memory} parameter; 8 and 16 vCPU need Linux platform 1.4.0).
 */
public final class FargateSize {
    private FargateSize() {}

    /** One row of the table: memory from {@code min} to {@code max} MiB in steps of {@code step}. */
    private record Row(int cpu, int min, int max, int step) {
        boolean accepts(int memory) {
            return memory >= min && memory <= max && (memory - min) % step == 0;
        }

        List<Integer> memories() {
            List<Integer> out = new ArrayList<>();
            for (int m = min; m <= max; m += step) out.add(m);
            return out;
        }
    }

    private static final List<Row> ROWS = List.of(
            new Row(512, 1024, 4096, 1024),
            new Row(1024, 2048, 8192, 1024),
            new Row(2048, 4096, 16384, 1024),
            new Row(4096, 8192, 30720, 1024),
            new Row(8192, 16384, 61440, 4096),
            new Row(16384, 32768, 122880, 8192));

    /** cpu 256 accepts 512, 1024 and 2048: not one step size, so it is listed. */
    private static final List<Integer> QUARTER_VCPU_MEMORY = List.of(512, 1024, 2048);

    /** The CPU values Fargate accepts, in units (1024 = 1 vCPU). */
    public static List<Integer> cpus() {
        List<Integer> out = new ArrayList<>(List.of(256));
        ROWS.forEach(r -> out.add(r.cpu()));
        return out;
    }

    /** The memory values (MiB) Fargate accepts with {@code cpu}; empty if {@code cpu} is not a Fargate value. */
    public static List<Integer> memoriesFor(int cpu) {
        if (cpu == 256) return QUARTER_VCPU_MEMORY;
        return ROWS.stream().filter(r -> r.cpu() == cpu).findFirst().map(Row::memories).orElse(List.of());
    }

    /** The CPU values that accept {@code memory} MiB. */
    public static List<Integer> cpusFor(int memory) {
        List<Integer> out = new ArrayList<>();
        if (QUARTER_VCPU_MEMORY.contains(memory)) out.add(256);
        ROWS.stream().filter(r -> r.accepts(memory)).forEach(r -> out.add(r.cpu()));
        return out;
    }

    public static boolean valid(int cpu, int memory) {
        return memoriesFor(cpu).contains(memory);
    }

    private static final Pattern VCPU = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*vcpu\\s*");
    private static final Pattern GB = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*gb\\s*");
    private static final Pattern INT = Pattern.compile("\\s*(\\d+)\\s*");

    /** CPU units from "512", 512 or "0.5 vCPU" (ECS converts the latter when registering). */
    public static Optional<Integer> parseCpu(String value) {
        return parse(value, VCPU, 1024);
    }

    /** MiB from "1024", 1024 or "1 GB". */
    public static Optional<Integer> parseMemory(String value) {
        return parse(value, GB, 1024);
    }

    private static Optional<Integer> parse(String value, Pattern unit, int factor) {
        Matcher m = INT.matcher(value);
        if (m.matches()) return Optional.of(Integer.parseInt(m.group(1)));
        m = unit.matcher(value);
        if (!m.matches()) return Optional.empty();
        BigDecimal v = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        try {
            return Optional.of(v.intValueExact());
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** "512 (.5 vCPU)". */
    public static String describeCpu(int cpu) {
        BigDecimal v = BigDecimal.valueOf(cpu).divide(BigDecimal.valueOf(1024)).stripTrailingZeros();
        String s = v.toPlainString();
        if (s.startsWith("0.")) s = s.substring(1);
        return String.format(Locale.ROOT, "%d (%s vCPU)", cpu, s);
    }
}
