package dev.chorus.simulator.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Per-peer access-link capacities (uplink, downlink) in bytes per second, drawn from a
 * configurable distribution. Three forms, written as a spec string or built in code:
 *
 * <ul>
 *   <li>{@code fixed(up=4Mbit, down=30Mbit)} — every peer the same;
 *   <li>{@code classes(dsl:0.45:1Mbit:8Mbit, cable:0.35:5Mbit:50Mbit, fiber:0.20:50Mbit:100Mbit)}
 *       — a table of access classes {@code name:share:up:down}; shares must sum to 1;
 *   <li>{@code lognormal(up=2Mbit, down=16Mbit, sigma=0.8)} — log-normal around the given
 *       medians; one normal draw scales both directions, so a peer's up and down are correlated
 *       (fast peers are fast both ways) and their ratio is fixed.
 * </ul>
 *
 * <p>Rates take a unit per second: {@code bit, kbit, Mbit, Gbit} (decimal, bits) or {@code B,
 * kB, MB, GB} (decimal, bytes); a bare number is bytes per second. Bad specs are rejected with a
 * message that names the key.
 */
public final class BandwidthDistribution {

  /**
   * Default: broadband of the Spotify P2P era (2008–2011) — an assumption, not a measurement
   * from the papers; see docs/network-model.md.
   */
  public static final String DEFAULT_SPEC =
      "classes(dsl:0.45:1Mbit:8Mbit, cable:0.35:5Mbit:50Mbit, fiber:0.20:50Mbit:100Mbit)";

  private enum Kind {
    CLASSES,
    LOGNORMAL
  }

  private final Kind kind;
  private final String[] names;
  private final double[] cumulative;
  private final double[] up;
  private final double[] down;
  private final double sigma;
  private final String spec;

  private BandwidthDistribution(
      Kind kind, String[] names, double[] shares, double[] up, double[] down, double sigma,
      String spec) {
    this.kind = kind;
    this.names = names;
    this.cumulative = new double[shares.length];
    double s = 0;
    for (int i = 0; i < shares.length; i++) {
      s += shares[i];
      cumulative[i] = s;
    }
    if (cumulative.length > 0) {
      cumulative[cumulative.length - 1] = 1.0;
    }
    this.up = up;
    this.down = down;
    this.sigma = sigma;
    this.spec = spec;
  }

  /** Every peer gets the same capacities. */
  public static BandwidthDistribution fixed(double upBytesPerSecond, double downBytesPerSecond) {
    return classes(
        "network.bandwidth",
        new String[] {"fixed"},
        new double[] {1},
        new double[] {upBytesPerSecond},
        new double[] {downBytesPerSecond});
  }

  /** A table of access classes; {@code key} names the setting in error messages. */
  public static BandwidthDistribution classes(
      String key, String[] names, double[] shares, double[] up, double[] down) {
    int n = names.length;
    if (n == 0) {
      throw new IllegalArgumentException(key + ": needs at least one class");
    }
    if (shares.length != n || up.length != n || down.length != n) {
      throw new IllegalArgumentException(key + ": names, shares, up and down differ in length");
    }
    double sum = 0;
    StringBuilder sb = new StringBuilder("classes(");
    for (int i = 0; i < n; i++) {
      if (!(shares[i] > 0 && shares[i] <= 1)) {
        throw new IllegalArgumentException(
            key + ": share of class '" + names[i] + "' must be in (0, 1], got " + shares[i]);
      }
      checkRate(key, "up of class '" + names[i] + "'", up[i]);
      checkRate(key, "down of class '" + names[i] + "'", down[i]);
      sum += shares[i];
      sb.append(i == 0 ? "" : ", ")
          .append(names[i]).append(':').append(shares[i]).append(':')
          .append(formatRate(up[i])).append(':').append(formatRate(down[i]));
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException(key + ": class shares must sum to 1, got " + sum);
    }
    return new BandwidthDistribution(
        Kind.CLASSES, names.clone(), shares.clone(), up.clone(), down.clone(), 0,
        sb.append(')').toString());
  }

  /** Log-normal capacities with the given medians and log-space standard deviation. */
  public static BandwidthDistribution lognormal(
      String key, double medianUp, double medianDown, double sigma) {
    checkRate(key, "up", medianUp);
    checkRate(key, "down", medianDown);
    if (!(sigma >= 0 && sigma <= 5)) {
      throw new IllegalArgumentException(key + ": sigma must be in [0, 5], got " + sigma);
    }
    return new BandwidthDistribution(
        Kind.LOGNORMAL, new String[0], new double[0], new double[] {medianUp},
        new double[] {medianDown}, sigma,
        "lognormal(up=" + formatRate(medianUp) + ", down=" + formatRate(medianDown)
            + ", sigma=" + sigma + ")");
  }

  /** Parses a spec (see the class comment); {@code key} names the setting in error messages. */
  public static BandwidthDistribution parse(String key, String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(key + ": empty; expected fixed(...), classes(...) or"
          + " lognormal(...)");
    }
    String s = spec.strip();
    int open = s.indexOf('(');
    if (open < 0 || !s.endsWith(")")) {
      throw new IllegalArgumentException(
          key + ": expected fixed(...), classes(...) or lognormal(...), got '" + spec + "'");
    }
    String form = s.substring(0, open).strip().toLowerCase(Locale.ROOT);
    String body = s.substring(open + 1, s.length() - 1).strip();
    List<String> parts = new ArrayList<>();
    for (String p : body.split(",")) {
      if (!p.isBlank()) {
        parts.add(p.strip());
      }
    }
    switch (form) {
      case "fixed":
        {
          double[] v = named(key, form, parts, new String[] {"up", "down"});
          return classes(key, new String[] {"fixed"}, new double[] {1}, new double[] {v[0]},
              new double[] {v[1]});
        }
      case "lognormal":
        {
          double[] v = named(key, form, parts, new String[] {"up", "down", "sigma"});
          return lognormal(key, v[0], v[1], v[2]);
        }
      case "classes":
        {
          int n = parts.size();
          String[] names = new String[n];
          double[] shares = new double[n];
          double[] up = new double[n];
          double[] down = new double[n];
          for (int i = 0; i < n; i++) {
            String[] f = parts.get(i).split(":");
            if (f.length != 4) {
              throw new IllegalArgumentException(
                  key + ": class '" + parts.get(i) + "' must be name:share:up:down");
            }
            names[i] = f[0].strip();
            shares[i] = number(key, "share of class '" + names[i] + "'", f[1]);
            up[i] = parseRate(key + " (up of class '" + names[i] + "')", f[2]);
            down[i] = parseRate(key + " (down of class '" + names[i] + "')", f[3]);
          }
          return classes(key, names, shares, up, down);
        }
      default:
        throw new IllegalArgumentException(
            key + ": unknown distribution '" + form + "'; allowed: fixed, classes, lognormal");
    }
  }

  private static double[] named(String key, String form, List<String> parts, String[] keys) {
    double[] v = new double[keys.length];
    boolean[] seen = new boolean[keys.length];
    for (String p : parts) {
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(key + ": " + form + " wants name=value, got '" + p + "'");
      }
      String k = p.substring(0, eq).strip();
      String val = p.substring(eq + 1).strip();
      int idx = -1;
      for (int i = 0; i < keys.length; i++) {
        if (keys[i].equals(k)) {
          idx = i;
        }
      }
      if (idx < 0) {
        throw new IllegalArgumentException(
            key + ": " + form + " has no parameter '" + k + "'; allowed: " + String.join(", ", keys));
      }
      v[idx] = k.equals("sigma") ? number(key, "sigma", val) : parseRate(key + " (" + k + ")", val);
      seen[idx] = true;
    }
    for (int i = 0; i < keys.length; i++) {
      if (!seen[i]) {
        throw new IllegalArgumentException(key + ": " + form + " needs " + keys[i]);
      }
    }
    return v;
  }

  private static double number(String key, String what, String s) {
    try {
      return Double.parseDouble(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": " + what + " is not a number: '" + s + "'", e);
    }
  }

  /**
   * Parses a rate such as {@code 8Mbit}, {@code 1.5MB} or {@code 250000} (bytes/s) into bytes
   * per second; {@code inf} is unbounded.
   */
  public static double parseRate(String key, String s) {
    String t = s.strip();
    if (t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity")) {
      return Double.POSITIVE_INFINITY;
    }
    int i = 0;
    while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.'
        || t.charAt(i) == 'e' && i > 0 && i + 1 < t.length() && Character.isDigit(t.charAt(i + 1)))) {
      i++;
    }
    String num = t.substring(0, i);
    String unit = t.substring(i).strip();
    if (unit.endsWith("/s")) {
      unit = unit.substring(0, unit.length() - 2);
    }
    double v;
    try {
      v = Double.parseDouble(num);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": not a rate: '" + s + "'", e);
    }
    double mult;
    switch (unit) {
      case "":
      case "B":
        mult = 1;
        break;
      case "kB":
        mult = 1e3;
        break;
      case "MB":
        mult = 1e6;
        break;
      case "GB":
        mult = 1e9;
        break;
      case "bit":
        mult = 1 / 8.0;
        break;
      case "kbit":
        mult = 1e3 / 8;
        break;
      case "Mbit":
        mult = 1e6 / 8;
        break;
      case "Gbit":
        mult = 1e9 / 8;
        break;
      default:
        throw new IllegalArgumentException(
            key + ": unknown rate unit '" + unit + "' in '" + s
                + "'; allowed: bit, kbit, Mbit, Gbit, B, kB, MB, GB (per second)");
    }
    double r = v * mult;
    checkRate(key, "rate", r);
    return r;
  }

  private static void checkRate(String key, String what, double v) {
    if (!(v > 0) || Double.isNaN(v)) {
      throw new IllegalArgumentException(key + ": " + what + " must be > 0 bytes/s, got " + v);
    }
  }

  private static String formatRate(double bytesPerSecond) {
    if (bytesPerSecond == Double.POSITIVE_INFINITY) {
      return "inf";
    }
    double bits = bytesPerSecond * 8;
    if (bits % 1e6 == 0) {
      return (long) (bits / 1e6) + "Mbit";
    }
    return bytesPerSecond + "B";
  }

  /** Fills {@code up[from..to)} and {@code down[from..to)} with draws, in index order. */
  public void sample(SplittableRandom rnd, double[] upOut, double[] downOut, int from, int to) {
    for (int i = from; i < to; i++) {
      if (kind == Kind.CLASSES) {
        int c = classOf(rnd.nextDouble());
        upOut[i] = up[c];
        downOut[i] = down[c];
      } else {
        double m = StrictMath.exp(sigma * Gaussian.next(rnd));
        upOut[i] = up[0] * m;
        downOut[i] = down[0] * m;
      }
    }
  }

  private int classOf(double u) {
    for (int c = 0; c < cumulative.length; c++) {
      if (u < cumulative[c]) {
        return c;
      }
    }
    return cumulative.length - 1;
  }

  /** Class names for a class table; empty for log-normal. */
  public List<String> classNames() {
    return List.of(names);
  }

  /** The canonical spec string (parses back to an equal distribution). */
  @Override
  public String toString() {
    return spec;
  }
}
