package dev.chorus.node.internal.core;

import dev.chorus.protocol.VivaldiCoordinate;
import java.util.random.RandomGenerator;

/**
 * Vivaldi coordinates with heights (Dabek, Cox, Kaashoek, Morris, SIGCOMM 2004). Each measured
 * round-trip time pulls or pushes this node's coordinate along the line to the remote one by an
 * amount weighted by the two nodes' error estimates, so confident nodes move little and new nodes
 * move a lot. The height models the access link: it adds to every prediction, which Euclidean
 * distance alone cannot do for a node behind a slow last mile.
 */
final class Vivaldi {
  /** Error-weight constant (c_e in the paper). */
  static final double CE = 0.25;
  /** Movement constant (c_c in the paper). */
  static final double CC = 0.25;
  private static final double MIN_HEIGHT_MS = 0.01;

  private final RandomGenerator random;
  private VivaldiCoordinate coordinate = VivaldiCoordinate.ORIGIN;

  Vivaldi(RandomGenerator random) {
    this.random = random;
  }

  VivaldiCoordinate coordinate() {
    return coordinate;
  }

  /** Updates this node's coordinate from one RTT sample to a node at {@code remote}. */
  void observe(double rttMillis, VivaldiCoordinate remote) {
    if (!(rttMillis > 0) || !Double.isFinite(rttMillis) || rttMillis > 60_000) {
      return; // nonsense samples are dropped rather than allowed to fling the coordinate away
    }
    VivaldiCoordinate self = coordinate;
    int dims = self.dimensions();
    double[] diff = new double[dims];
    double euclid = 0;
    for (int i = 0; i < dims; i++) {
      diff[i] = self.position(i) - (i < remote.dimensions() ? remote.position(i) : 0);
      euclid += diff[i] * diff[i];
    }
    euclid = Math.sqrt(euclid);
    if (euclid == 0) {
      // Two nodes at the same point: push apart in a random direction.
      double norm = 0;
      for (int i = 0; i < dims; i++) {
        diff[i] = random.nextDouble() - 0.5;
        norm += diff[i] * diff[i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < dims; i++) {
        diff[i] = diff[i] / norm * 1e-3;
      }
      euclid = 1e-3;
    }
    double heights = self.heightMs() + remote.heightMs();
    double predicted = euclid + heights;
    double weight = self.error() / Math.max(1e-6, self.error() + remote.error());
    double sampleError = Math.abs(predicted - rttMillis) / rttMillis;
    double error = sampleError * CE * weight + self.error() * (1 - CE * weight);
    double force = CC * weight * (rttMillis - predicted);
    float[] position = new float[dims];
    for (int i = 0; i < dims; i++) {
      position[i] = clamp(self.position(i) + force * diff[i] / predicted);
    }
    double height = self.heightMs() + force * heights / predicted;
    coordinate = VivaldiCoordinate.of(position, (float) Math.max(MIN_HEIGHT_MS, Math.min(height,
        VivaldiCoordinate.MAX_ABS_MS)), (float) Math.max(0, Math.min(1.5, error)));
  }

  private static float clamp(double v) {
    return (float) Math.max(-VivaldiCoordinate.MAX_ABS_MS, Math.min(VivaldiCoordinate.MAX_ABS_MS, v));
  }
}
