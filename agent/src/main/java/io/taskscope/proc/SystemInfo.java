package io.taskscope.proc;

/**
 * System-wide numbers that turn per-process ticks and pages into ps's columns.
 *
 * @param bootTimeEpochSeconds {@code btime} from {@code /proc/stat}
 * @param uptimeSeconds        from {@code /proc/uptime}
 * @param memTotalKiB          {@code MemTotal} from {@code /proc/meminfo}
 * @param clockTicks           USER_HZ: 100 on every architecture Linux runs containers on
 */
public record SystemInfo(long bootTimeEpochSeconds, double uptimeSeconds, long memTotalKiB, int clockTicks) {
    public static final int USER_HZ = 100;

    public static SystemInfo read(ProcReader r) {
        ProcPath p = r.proc();
        long btime = r.text(p.global("stat")).map(t -> field(t, "btime ")).orElse(0L);
        double uptime = r.text(p.global("uptime")).map(t -> {
            try {
                return Double.parseDouble(t.substring(0, t.indexOf(' ')));
            } catch (RuntimeException e) {
                return 0.0;
            }
        }).orElse(0.0);
        long mem = r.text(p.global("meminfo")).map(t -> field(t, "MemTotal:")).orElse(0L);
        return new SystemInfo(btime, uptime, mem, USER_HZ);
    }

    /** The number after {@code key} at the start of a line. */
    private static long field(String text, String key) {
        int i = text.startsWith(key) ? 0 : text.indexOf("\n" + key);
        if (i < 0) return 0;
        i = text.indexOf(key, i) + key.length();
        while (i < text.length() && text.charAt(i) == ' ') i++;
        int j = i;
        while (j < text.length() && Character.isDigit(text.charAt(j))) j++;
        return j > i ? Long.parseLong(text, i, j, 10) : 0;
    }

    /** Start time of a process, in seconds since the epoch. */
    public double startEpochSeconds(long startTicks) {
        return bootTimeEpochSeconds + (double) startTicks / clockTicks;
    }
}
