package dev.chorus.protocol;

import dev.chorus.protocol.wire.Coordinate;
import java.util.Arrays;

/**
 * A Vivaldi network coordinate (Dabek et al., SIGCOMM 2004): a point in a low-dimensional
 * Euclidean space plus a height modelling the access link. The predicted round-trip time between
 * two nodes is the distance between their points plus both heights. Immutable.
 */
public final class VivaldiCoordinate {
  /** Dimensions accepted from the wire. */
  public static final int MIN_DIMENSIONS = 2;
  public static final int MAX_DIMENSIONS = 8;
  /** Coordinates farther than this from the origin (ms) are nonsense or an attack. */
  public static final float MAX_ABS_MS = 100_000f;

  /** The origin in 2 dimensions with no height: what a node knows before any measurement. */
  public static final VivaldiCoordinate ORIGIN = new VivaldiCoordinate(new float[MIN_DIMENSIONS], 0f, 1.5f);

  private final float[] positionMs;
  private final float heightMs;
  private final float error;

  private VivaldiCoordinate(float[] positionMs, float heightMs, float error) {
    this.positionMs = positionMs;
    this.heightMs = heightMs;
    this.error = error;
  }

  /**
   * A coordinate from its parts (copied).
   *
   * @throws IllegalArgumentException for a wrong dimension count or a non-finite, negative
   *     height or out-of-range value
   */
  public static VivaldiCoordinate of(float[] positionMs, float heightMs, float error) {
    if (positionMs.length < MIN_DIMENSIONS || positionMs.length > MAX_DIMENSIONS) {
      throw new IllegalArgumentException("a coordinate has " + MIN_DIMENSIONS + ".." + MAX_DIMENSIONS
          + " dimensions, got " + positionMs.length);
    }
    for (float p : positionMs) {
      checkRange("position", p);
    }
    checkRange("height", heightMs);
    if (heightMs < 0) {
      throw new IllegalArgumentException("height must be >= 0, was " + heightMs);
    }
    if (!(error >= 0 && error <= 1.5f)) {
      throw new IllegalArgumentException("error must be in [0, 1.5], was " + error);
    }
    return new VivaldiCoordinate(positionMs.clone(), heightMs, error);
  }

  /**
   * Reads a wire coordinate; an absent or invalid one becomes {@link #ORIGIN} with the maximum
   * error, so a peer's bad coordinate costs it ranking, never the receiver an exception.
   */
  public static VivaldiCoordinate fromWireOrOrigin(Coordinate wire) {
    if (wire == null || wire.getPositionMsCount() == 0) {
      return ORIGIN;
    }
    float[] position = new float[wire.getPositionMsCount()];
    for (int i = 0; i < position.length; i++) {
      position[i] = wire.getPositionMs(i);
    }
    try {
      return of(position, wire.getHeightMs(), wire.getError());
    } catch (IllegalArgumentException e) {
      return ORIGIN;
    }
  }

  public Coordinate toWire() {
    Coordinate.Builder b = Coordinate.newBuilder().setHeightMs(heightMs).setError(error);
    for (float p : positionMs) {
      b.addPositionMs(p);
    }
    return b.build();
  }

  /** Predicted RTT in milliseconds; coordinates of different dimensions compare on the common ones. */
  public double predictedRttMillis(VivaldiCoordinate other) {
    int n = Math.min(positionMs.length, other.positionMs.length);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double d = positionMs[i] - other.positionMs[i];
      sum += d * d;
    }
    return Math.sqrt(sum) + heightMs + other.heightMs;
  }

  public int dimensions() {
    return positionMs.length;
  }

  public float position(int dimension) {
    return positionMs[dimension];
  }

  public float heightMs() {
    return heightMs;
  }

  public float error() {
    return error;
  }

  private static void checkRange(String what, float v) {
    if (!Float.isFinite(v) || Math.abs(v) > MAX_ABS_MS) {
      throw new IllegalArgumentException(what + " must be finite and within ±" + MAX_ABS_MS + " ms, was " + v);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof VivaldiCoordinate)) {
      return false;
    }
    VivaldiCoordinate c = (VivaldiCoordinate) o;
    return Arrays.equals(positionMs, c.positionMs) && heightMs == c.heightMs && error == c.error;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(positionMs) + Float.hashCode(heightMs);
  }

  @Override
  public String toString() {
    return "VivaldiCoordinate" + Arrays.toString(positionMs) + "+h" + heightMs;
  }
}
