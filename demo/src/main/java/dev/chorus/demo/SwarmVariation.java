package dev.chorus.demo;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What makes a demo swarm other than uniform: per-node upload caps drawn from classes of access
 * capacity, and churn (nodes that leave and come back). Used by the simulator's validation
 * ({@code DemoMirrorValidationTest}) to mirror {@code simulator/scenarios/demo-mirror-churn.scenario};
 * {@link #NONE} is the plain demo.
 *
 * @param uploadClasses the classes a node's upload cap is drawn from, in proportion to their
 *     shares (which sum to 1); empty for uncapped nodes
 * @param meanOnline mean of the exponential online periods (wall-clock time); zero for no churn
 * @param meanOffline mean of the exponential offline periods (wall-clock time); zero for no churn
 */
record SwarmVariation(List<UploadClass> uploadClasses, Duration meanOnline, Duration meanOffline) {
  static final SwarmVariation NONE = new SwarmVariation(List.of(), Duration.ZERO, Duration.ZERO);

  /**
   * The second swarm the simulator is validated on ({@code demo-mirror-churn.scenario}): 40% of
   * nodes upload at most 64 kB/s (a quarter of one 256 kB/s stream at --speed 8), 30% at most
   * 256 kB/s, 30% without a cap; online 20 s and offline 8 s on average.
   */
  static final SwarmVariation CAPS_AND_CHURN = new SwarmVariation(List.of(
      new UploadClass("slow", 0.4, 64_000), new UploadClass("medium", 0.3, 256_000),
      new UploadClass("fast", 0.3, 0)), Duration.ofSeconds(20), Duration.ofSeconds(8));

  /**
   * One class of nodes: a share of them and their upload cap to peers.
   *
   * @param bytesPerSecond the node's {@code uploadBytesPerSecond} (wall-clock); 0 for no cap
   */
  record UploadClass(String name, double share, long bytesPerSecond) {
    UploadClass {
      if (!(share > 0 && share <= 1) || bytesPerSecond < 0) {
        throw new IllegalArgumentException("upload class " + name + ": share must be in (0, 1] and the cap >= 0,"
            + " was " + share + " and " + bytesPerSecond);
      }
    }
  }

  SwarmVariation {
    uploadClasses = List.copyOf(uploadClasses);
    double sum = uploadClasses.stream().mapToDouble(UploadClass::share).sum();
    if (!uploadClasses.isEmpty() && Math.abs(sum - 1) > 1e-9) {
      throw new IllegalArgumentException("the upload classes' shares must sum to 1, was " + sum);
    }
    if (meanOnline.isNegative() || meanOffline.isNegative() || meanOnline.isZero() != meanOffline.isZero()) {
      throw new IllegalArgumentException("churn needs both mean online and mean offline times (or neither), was "
          + meanOnline + " and " + meanOffline);
    }
  }

  boolean churns() {
    return !meanOnline.isZero();
  }

  /** A node's upload cap, drawn as the simulator draws a peer's class: by share, from a uniform draw. */
  long uploadCap(SplittableRandom random) {
    if (uploadClasses.isEmpty()) {
      return 0;
    }
    double u = random.nextDouble();
    double cumulative = 0;
    for (UploadClass c : uploadClasses) {
      cumulative += c.share();
      if (u < cumulative) {
        return c.bytesPerSecond();
      }
    }
    return uploadClasses.get(uploadClasses.size() - 1).bytesPerSecond();
  }

  /** Whether a node is online at the start: with probability E[on] / (E[on] + E[off]), as in steady state. */
  boolean startsOnline(SplittableRandom random) {
    double on = meanOnline.toNanos();
    return !churns() || random.nextDouble() < on / (on + meanOffline.toNanos());
  }

  /** The length of an online or offline period (exponential; also the residual of one at the start). */
  long periodNanos(SplittableRandom random, boolean online) {
    double mean = (online ? meanOnline : meanOffline).toNanos();
    return Math.max(1, (long) (-mean * Math.log(1 - random.nextDouble())));
  }
}
