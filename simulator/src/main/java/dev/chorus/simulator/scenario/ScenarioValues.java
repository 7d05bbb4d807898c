package dev.chorus.simulator.scenario;

import dev.chorus.protocol.time.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text forms of scenario values: durations ({@code 24h}, {@code 500ms}, ISO-8601: the grammar of
 * {@link Durations}, which the command lines use too), byte sizes ({@code 5GB}, {@code 512MiB}),
 * counts and numbers. Parsers throw {@link IllegalArgumentException} naming the key and the
 * accepted forms; formatters give the shortest exact form, which parses back to the same value
 * (the manifest's effective scenario relies on that).
 */
public final class ScenarioValues {
  private static final Pattern SIZE =
      Pattern.compile("([0-9][0-9_]*(?:\\.[0-9]+)?(?:[eE][0-9]+)?)\\s*([A-Za-z]*)");

  /** Byte-size units, largest first (decimal before binary of about the same size). */
  private static final String[] SIZE_UNITS = {"TB", "TiB", "GB", "GiB", "MB", "MiB", "kB", "KiB"};
  private static final long[] SIZE_BYTES = {1_000_000_000_000L, 1L << 40, 1_000_000_000L, 1L << 30,
      1_000_000L, 1L << 20, 1_000L, 1L << 10};

  private ScenarioValues() {}

  /**
   * A duration in the grammar of {@link Durations}: {@code 24h}, {@code 90m}, {@code 15s},
   * {@code 500ms}, {@code 1d}, {@code 1.5h}, {@code PT2H}, {@code 0}.
   */
  public static Duration duration(String key, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** One of {@code choices}, exactly as written. */
  static String choice(String key, String text, String... choices) {
    String v = text.strip();
    for (String c : choices) {
      if (c.equals(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException(key + ": expected one of " + String.join(", ", choices) + ", got '" + text + "'");
  }

  /**
   * A byte size: a plain number, or one with a unit {@code B}, {@code kB}/{@code KB}, {@code MB},
   * {@code GB}, {@code TB} (powers of 1000) or {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB}
   * (powers of 1024). Must come to a whole number of bytes.
   */
  static long bytes(String key, String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw notSize(key, text);
    }
    long unit;
    String u = m.group(2);
    if (u.isEmpty() || u.equals("B")) {
      unit = 1;
    } else if (u.equals("KB")) {
      unit = 1000;
    } else {
      int i = indexOf(SIZE_UNITS, u);
      if (i < 0) {
        throw notSize(key, text);
      }
      unit = SIZE_BYTES[i];
    }
    BigDecimal v = new BigDecimal(m.group(1).replace("_", "")).multiply(BigDecimal.valueOf(unit));
    try {
      return v.stripTrailingZeros().toBigIntegerExact().longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(key + ": '" + text.strip()
          + "' is not a whole number of bytes (or is beyond 2^63)", e);
    }
  }

  private static IllegalArgumentException notSize(String key, String text) {
    return new IllegalArgumentException(key + ": '" + text.strip() + "' is not a byte size; write "
        + "a number of bytes or one with a unit: B, kB, MB, GB, TB (1000s) or KiB, MiB, GiB, TiB (1024s)");
  }

  /** The largest unit giving a whole number ({@code 16KiB}, {@code 50MB}), else plain bytes. */
  static String formatBytes(long bytes) {
    if (bytes != 0) {
      for (int i = 0; i < SIZE_UNITS.length; i++) {
        if (bytes % SIZE_BYTES[i] == 0) {
          return (bytes / SIZE_BYTES[i]) + SIZE_UNITS[i];
        }
      }
    }
    return Long.toString(bytes);
  }

  /** A byte size as a double (for parameters the workload keeps as doubles). */
  static String formatBytes(double bytes) {
    if (bytes == Math.rint(bytes) && Math.abs(bytes) < 0x1p62) {
      return formatBytes((long) bytes);
    }
    return Double.toString(bytes);
  }

  /** A whole number in {@code [min, max]}; accepts {@code 1_000_000} and {@code 1e6}. */
  static long integer(String key, String text, long min, long max) {
    String v = text.strip().replace("_", "");
    long n;
    try {
      n = new BigDecimal(v).toBigIntegerExact().longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(key + ": '" + text.strip() + "' is not a whole number", e);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], was " + n);
    }
    return n;
  }

  static int integer(String key, String text) {
    return (int) integer(key, text, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  static double number(String key, String text) {
    try {
      return Double.parseDouble(text.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + text.strip() + "' is not a number", e);
    }
  }

  /** A rate in bytes per second: {@code inf}, or a whole number, else its plain decimal form. */
  static String formatRate(double bytesPerSecond) {
    if (bytesPerSecond == Double.POSITIVE_INFINITY) {
      return "inf";
    }
    if (bytesPerSecond == Math.rint(bytesPerSecond) && bytesPerSecond < 0x1p53) {
      return Long.toString((long) bytesPerSecond);
    }
    return new BigDecimal(bytesPerSecond).toPlainString();
  }

  private static int indexOf(String[] units, String unit) {
    for (int i = 0; i < units.length; i++) {
      if (units[i].equals(unit)) {
        return i;
      }
    }
    return -1;
  }
}
