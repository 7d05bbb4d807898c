package dev.chorus.protocol.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, the one grammar of the command lines ({@code chorus-tracker
 * --ttl}, {@code chorus demo --duration}) and the simulator's scenario files: a number and a unit
 * ({@code 500ms}, {@code 30s}, {@code 10m} or {@code 10min}, {@code 2h}, {@code 1d}, {@code 1500us},
 * {@code 20ns}; a decimal fraction and {@code _} between digits are allowed, so are spaces before
 * the unit, and the unit's case does not matter), {@code 0}, or ISO-8601 ({@code PT10M}). No sign:
 * a negative duration can only be written in ISO-8601. Pure.
 */
public final class Durations {
  /** Examples of the grammar, for messages. */
  public static final String EXAMPLES = "24h, 90m, 15s, 500ms, 1d, 1.5h or ISO-8601 (PT2H)";

  private static final Pattern NUMBER_AND_UNIT =
      Pattern.compile("([0-9][0-9_]*(?:\\.[0-9]+)?)\\s*(ns|us|µs|ms|s|m|min|h|d)");

  /** Units, largest first, with their length in nanoseconds. */
  private static final String[] UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};
  private static final long[] UNIT_NANOS = {86_400_000_000_000L, 3_600_000_000_000L,
      60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};

  private Durations() {}

  /**
   * The duration {@code text} stands for (rounded to the nanosecond, half to even).
   *
   * @throws IllegalArgumentException if it is not one ("'soon' is not a duration; write e.g. …")
   *     or does not fit a {@link Duration} of nanoseconds (about 292 years)
   */
  public static Duration parse(String text) {
    String v = text.strip();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    if (v.startsWith("P") || v.startsWith("p")) {
      try {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw notADuration(text, e);
      }
    }
    Matcher m = NUMBER_AND_UNIT.matcher(v.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw notADuration(text, null);
    }
    String unit = m.group(2).equals("min") ? "m" : m.group(2).replace("µs", "us");
    BigDecimal nanos = new BigDecimal(m.group(1).replace("_", ""))
        .multiply(BigDecimal.valueOf(UNIT_NANOS[indexOf(unit)]));
    try {
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_EVEN).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + v + "' is too long a duration", e);
    }
  }

  /**
   * The shortest exact form in the largest unit that gives a whole number ({@code 1d}, {@code
   * 90m}, {@code 500ms}, {@code 0s}), which {@link #parse} reads back to the same duration when it
   * is not negative. Only durations of up to {@code Long.MAX_VALUE} nanoseconds.
   */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    for (int i = 0; i < UNITS.length; i++) {
      if (nanos % UNIT_NANOS[i] == 0) {
        return (nanos / UNIT_NANOS[i]) + UNITS[i];
      }
    }
    throw new AssertionError("ns divides every duration");
  }

  private static IllegalArgumentException notADuration(String text, Exception cause) {
    return new IllegalArgumentException("'" + text.strip() + "' is not a duration; write e.g. " + EXAMPLES, cause);
  }

  private static int indexOf(String unit) {
    for (int i = 0; i < UNITS.length; i++) {
      if (UNITS[i].equals(unit)) {
        return i;
      }
    }
    throw new AssertionError(unit);
  }
}
