package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random starts, cancels and completions, checked after every step against a naive global
 * water-filling oracle and against the defining properties of a max-min fair allocation.
 */
class FlowNetworkRandomizedTest {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final double EPS = 1e-7;

  /** A run's trace: every completion (id, time) and a digest of all rates after each step. */
  private static List<Long> run(long seed, int hosts, int steps, boolean check) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] up = new double[hosts];
    double[] down = new double[hosts];
    for (int h = 0; h < hosts; h++) {
      up[h] = 10 + rnd.nextInt(1000);
      down[h] = 10 + rnd.nextInt(4000);
    }
    up[hosts - 1] = INF; // a CDN
    down[hosts - 1] = INF;
    FlowNetwork n = FlowNetwork.builder(hosts).capacities(up, down)
        .maxRegionFlows(Integer.MAX_VALUE).initialFlowCapacity(4).build();
    Map<Long, long[]> live = new LinkedHashMap<>(); // id -> {src, dst, bytes, lastTransferred}
    List<Long> trace = new ArrayList<>();
    long now = 0;
    for (int step = 0; step < steps; step++) {
      int op = rnd.nextInt(10);
      if (op < 5 || live.isEmpty()) {
        int dst = rnd.nextInt(hosts - 1);
        int src;
        do {
          src = rnd.nextInt(10) == 0 ? hosts - 1 : rnd.nextInt(hosts - 1);
        } while (src == dst);
        long bytes = rnd.nextInt(100_000);
        long id = n.startFlow(src, dst, bytes, now);
        live.put(id, new long[] {src, dst, bytes, 0});
      } else if (op < 7) {
        List<Long> ids = new ArrayList<>(live.keySet());
        long id = ids.get(rnd.nextInt(ids.size()));
        long done = n.cancelFlow(id, now);
        long[] f = live.remove(id);
        assertTrue(done >= f[3] && done <= f[2], "cancelled flow's bytes in range");
      } else {
        long target = now + rnd.nextLong(2_000_000_000L);
        final long before = now;
        n.pollCompleted(target, (id, s, d, bytes, t) -> {
          long[] f = live.remove(id);
          assertEquals(f[0], s);
          assertEquals(f[1], d);
          assertEquals(f[2], bytes);
          assertTrue(t >= before && t <= target);
          trace.add(id);
          trace.add(t);
        });
        now = target;
      }
      for (Map.Entry<Long, long[]> e : live.entrySet()) {
        trace.add(Double.doubleToLongBits(n.rate(e.getKey())));
      }
      if (check) {
        check(n, up, down, live, now);
      }
    }
    return trace;
  }

  private static void check(
      FlowNetwork n, double[] up, double[] down, Map<Long, long[]> live, long now) {
    int hosts = up.length;
    long[] ids = live.keySet().stream().mapToLong(Long::longValue).toArray();
    int m = ids.length;
    int[] src = new int[m];
    int[] dst = new int[m];
    for (int i = 0; i < m; i++) {
      long[] f = live.get(ids[i]);
      src[i] = (int) f[0];
      dst[i] = (int) f[1];
    }
    double[] oracle = waterFill(up, down, src, dst);
    double[] usedUp = new double[hosts];
    double[] usedDown = new double[hosts];
    for (int i = 0; i < m; i++) {
      double r = n.rate(ids[i]);
      assertEquals(oracle[i], r, EPS * Math.max(1, oracle[i]), "rate of flow " + i);
      usedUp[src[i]] += r;
      usedDown[dst[i]] += r;
      // progress is monotone and within the flow's size
      long[] f = live.get(ids[i]);
      long t = n.bytesTransferred(ids[i], now);
      assertTrue(t >= f[3] && t <= f[2], "progress " + t + " of " + f[2]);
      f[3] = t;
      assertTrue(n.completionTime(ids[i]) >= now);
    }
    // conservation: no capacity exceeded
    for (int h = 0; h < hosts; h++) {
      assertTrue(usedUp[h] <= up[h] * (1 + EPS), "uplink " + h);
      assertTrue(usedDown[h] <= down[h] * (1 + EPS), "downlink " + h);
      assertEquals(usedUp[h], n.uplinkUsage(h), EPS * Math.max(1, usedUp[h]));
    }
    // max-min: every flow has a saturated constraint where no flow gets more than it
    for (int i = 0; i < m; i++) {
      double r = n.rate(ids[i]);
      boolean bottleneck = false;
      if (usedUp[src[i]] >= up[src[i]] * (1 - EPS)) {
        boolean max = true;
        for (int j = 0; j < m; j++) {
          max &= src[j] != src[i] || n.rate(ids[j]) <= r * (1 + EPS) + EPS;
        }
        bottleneck |= max;
      }
      if (usedDown[dst[i]] >= down[dst[i]] * (1 - EPS)) {
        boolean max = true;
        for (int j = 0; j < m; j++) {
          max &= dst[j] != dst[i] || n.rate(ids[j]) <= r * (1 + EPS) + EPS;
        }
        bottleneck |= max;
      }
      assertTrue(bottleneck, "flow " + i + " has a bottleneck");
    }
  }

  /** Naive global progressive filling, O(constraints × flows) per saturation. */
  static double[] waterFill(double[] up, double[] down, int[] src, int[] dst) {
    int hosts = up.length;
    int m = src.length;
    double[] residual = new double[2 * hosts];
    int[] cnt = new int[2 * hosts];
    for (int h = 0; h < hosts; h++) {
      residual[2 * h] = up[h];
      residual[2 * h + 1] = down[h];
    }
    for (int i = 0; i < m; i++) {
      cnt[2 * src[i]]++;
      cnt[2 * dst[i] + 1]++;
    }
    double[] rate = new double[m];
    boolean[] frozen = new boolean[m];
    int left = m;
    while (left > 0) {
      int best = -1;
      double bestShare = INF;
      for (int c = 0; c < 2 * hosts; c++) {
        if (cnt[c] > 0 && residual[c] != INF) {
          double s = Math.max(0, residual[c]) / cnt[c];
          if (s < bestShare) {
            bestShare = s;
            best = c;
          }
        }
      }
      for (int i = 0; i < m; i++) {
        if (!frozen[i] && (2 * src[i] == best || 2 * dst[i] + 1 == best)) {
          frozen[i] = true;
          left--;
          rate[i] = bestShare;
          residual[2 * src[i]] -= bestShare;
          residual[2 * dst[i] + 1] -= bestShare;
          cnt[2 * src[i]]--;
          cnt[2 * dst[i] + 1]--;
        }
      }
    }
    return rate;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void matchesGlobalWaterFillingAtEveryStep(long seed) {
    run(seed, 12 + (int) seed * 6, 600, true);
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 8})
  void sameSeedSameTrace(long seed) {
    List<Long> a = run(seed, 60, 3000, false);
    List<Long> b = run(seed, 60, 3000, false);
    assertEquals(a.size(), b.size());
    assertTrue(a.equals(b), "bit-identical traces");
    assertTrue(!a.equals(run(seed + 100, 60, 3000, false)));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 16})
  void truncatedRegionsNeverExceedCapacity(int maxRegionFlows) {
    SplittableRandom rnd = new SplittableRandom(maxRegionFlows);
    int hosts = 40;
    double[] up = new double[hosts];
    double[] down = new double[hosts];
    Arrays.setAll(up, h -> 10 + rnd.nextInt(1000));
    Arrays.setAll(down, h -> 10 + rnd.nextInt(1000));
    FlowNetwork n = FlowNetwork.builder(hosts).capacities(up, down)
        .maxRegionFlows(maxRegionFlows).build();
    List<Long> ids = new ArrayList<>();
    long now = 0;
    for (int step = 0; step < 2000; step++) {
      if (ids.isEmpty() || rnd.nextInt(3) > 0) {
        int s = rnd.nextInt(hosts);
        int d = (s + 1 + rnd.nextInt(hosts - 1)) % hosts;
        ids.add(n.startFlow(s, d, 1 + rnd.nextInt(1_000_000), now));
      } else {
        n.cancelFlow(ids.remove(rnd.nextInt(ids.size())), now);
      }
      now += rnd.nextInt(1_000_000);
      n.pollCompleted(now, (id, s, d, b, t) -> ids.remove(id));
      for (int h = 0; h < hosts; h++) {
        assertTrue(n.uplinkUsage(h) <= up[h] * (1 + EPS), "uplink " + h);
        assertTrue(n.downlinkUsage(h) <= down[h] * (1 + EPS), "downlink " + h);
      }
    }
    if (maxRegionFlows < 16) {
      assertTrue(n.truncatedRecomputations() > 0);
    }
  }
}
