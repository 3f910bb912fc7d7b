package io.taskscope.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one units convention for every duration option of the CLI, the agent's: a whole number with a suffix,
 * {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, rendered as {@code DURATION} in help. A bare number keeps the
 * option's old unit (milliseconds for {@code health --timeout}, seconds for {@code fs watch --duration}), so
 * scripts written before the suffixes still work; each option says which in its description. A bad value is
 * picocli's one-line usage error (exit 2) naming the option: "Invalid value for option '--timeout': ...".
 * Pick the subclass for the bare unit: {@code converter = DurationConverter.BareMillis.class}.
 */
public abstract class DurationConverter implements ITypeConverter<Duration> {
    /** The placeholder every duration option shows. */
    public static final String LABEL = "DURATION";

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    private final String bareUnit;

    DurationConverter(String bareUnit) {
        this.bareUnit = bareUnit;
    }

    /** A bare number is milliseconds. */
    public static final class BareMillis extends DurationConverter {
        public BareMillis() {
            super("ms");
        }
    }

    /** A bare number is seconds. */
    public static final class BareSeconds extends DurationConverter {
        public BareSeconds() {
            super("s");
        }
    }

    @Override
    public Duration convert(String value) {
        return parse(value, bareUnit);
    }

    /** {@code text} as a duration, a bare number in {@code bareUnit} ("ms" or "s"). */
    public static Duration parse(String text, String bareUnit) {
        Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration; write e.g. 500ms, 2s, 1m or 1h"
                    + " (a bare number is " + (bareUnit.equals("ms") ? "milliseconds" : "seconds") + ")");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? bareUnit : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
