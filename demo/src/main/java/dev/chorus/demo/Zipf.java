package dev.chorus.demo;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Zipf popularity over ranks {@code 0..n-1}: rank k is drawn with probability ∝ 1/(k+1)^s. */
final class Zipf {
  private final double[] cumulative;

  Zipf(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, exponent);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
  }

  int size() {
    return cumulative.length;
  }

  /** The probability of rank {@code k}. */
  double probability(int k) {
    return k == 0 ? cumulative[0] : cumulative[k] - cumulative[k - 1];
  }

  int sample(SplittableRandom random) {
    int i = Arrays.binarySearch(cumulative, random.nextDouble());
    int rank = i >= 0 ? i + 1 : -i - 1;
    return Math.min(rank, cumulative.length - 1);
  }
}
