package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dense sample swarms (the default bandwidth classes, every active peer uploading and downloading,
 * so that the flows form one giant component) through the network's local recomputation, checked
 * against the exact max-min allocation of the whole network ({@link
 * FlowNetworkRandomizedTest#waterFill}): the rates must agree within {@link #TOLERANCE} while each
 * recomputation visits a small part of the component the old whole-component recomputation had to.
 */
class FlowNetworkDenseSwarmTest {
  /** The stated tolerance: relative difference of any flow's rate from the exact max-min rate. */
  static final double TOLERANCE = 1e-9;

  private static final double INF = Double.POSITIVE_INFINITY;
  private static final long MIB = 1 << 20;
  private static final int UPLOAD_SLOTS = 4;

  /** One sample swarm's run. */
  private static final class Swarm {
    final SplittableRandom rnd;
    final int active;
    final int cdn;
    final double[] up;
    final double[] down;
    final FlowNetwork net;
    final List<Long> ids = new ArrayList<>();
    long now;
    double maxRelativeError;
    int checks;
    int component;
    double visitedPerRecomputation;

    Swarm(long seed, int peers, int active, double cdnUplink, int maxRegionFlows) {
      rnd = new SplittableRandom(seed);
      this.active = active;
      cdn = peers;
      up = new double[peers + 1];
      down = new double[peers + 1];
      BandwidthDistribution.parse("network.bandwidth", BandwidthDistribution.DEFAULT_SPEC)
          .sample(rnd.split(), up, down, 0, peers);
      up[cdn] = cdnUplink;
      down[cdn] = INF;
      net = FlowNetwork.builder(peers + 1).capacities(up, down)
          .maxRegionFlows(maxRegionFlows).build();
    }

    long start(long at) {
      int dst = rnd.nextInt(active);
      int src;
      if (rnd.nextInt(5) == 0) {
        src = cdn;
      } else {
        do {
          src = rnd.nextInt(active);
        } while (src == dst || net.uploads(src) >= UPLOAD_SLOTS);
      }
      return net.startFlow(src, dst, MIB / 4 + rnd.nextLong(4 * MIB), at);
    }

    /** Keeps about {@code flows} flows running: starts, cancels, completions (each a restart). */
    void churn(int flows, int steps) {
      for (int step = 0; step < steps; step++) {
        if (ids.size() < flows) {
          ids.add(start(now));
        } else if (rnd.nextBoolean()) {
          int i = rnd.nextInt(ids.size());
          net.cancelFlow(ids.get(i), now);
          ids.set(i, ids.get(ids.size() - 1));
          ids.remove(ids.size() - 1);
        } else {
          long next = net.nextCompletionNanos();
          if (next == FlowNetwork.NEVER) {
            continue;
          }
          now = next;
          // The next run of a transfer starts at the instant the last one ended, as the driver's
          // segments do.
          net.pollCompleted(now, (id, s, d, bytes, at) -> {
            ids.remove(id);
            ids.add(start(at));
          });
        }
      }
    }

    void checkAgainstExact() {
      int m = ids.size();
      int[] src = new int[m];
      int[] dst = new int[m];
      for (int i = 0; i < m; i++) {
        src[i] = net.src(ids.get(i));
        dst[i] = net.dst(ids.get(i));
      }
      double[] exact = FlowNetworkRandomizedTest.waterFill(up, down, src, dst);
      for (int i = 0; i < m; i++) {
        double r = net.rate(ids.get(i));
        double e = Math.abs(r - exact[i]) / exact[i];
        maxRelativeError = Math.max(maxRelativeError, e);
        assertTrue(e <= TOLERANCE,
            "flow " + src[i] + "->" + dst[i] + ": rate " + r + ", exact " + exact[i]);
      }
      checks++;
    }

    /** Flows in the largest set connected through finite constraints (what percolated). */
    int largestComponentFlows() {
      int[] parent = new int[2 * up.length];
      for (int c = 0; c < parent.length; c++) {
        parent[c] = c;
      }
      for (long id : ids) {
        int a = 2 * net.src(id);
        int b = 2 * net.dst(id) + 1;
        if (up[net.src(id)] != INF) {
          parent[find(parent, a)] = find(parent, b);
        }
      }
      int[] flowsAt = new int[parent.length];
      int best = 0;
      for (long id : ids) {
        int root = find(parent, 2 * net.dst(id) + 1);
        best = Math.max(best, ++flowsAt[root]);
      }
      return best;
    }

    private static int find(int[] parent, int c) {
      while (parent[c] != c) {
        parent[c] = parent[parent[c]];
        c = parent[c];
      }
      return c;
    }
  }

  /**
   * Exactness: with no bound on the region, every recomputation is the exact max-min allocation,
   * whatever the density (the last two swarms make the saturated constraints percolate too).
   */
  @ParameterizedTest(name = "seed {0}: {2} of {1} peers active, {3} flows, CDN uplink {4} B/s")
  @CsvSource({
      "1, 3000, 1000, 2000, Infinity",
      "2, 3000, 1000, 2000, Infinity",
      "5, 5000, 2000, 4000, Infinity",
      "3, 2000, 500, 1500, Infinity",
      "4, 3000, 1000, 2000, 125000000", // spotify-like's finite 1 Gbit CDN: CDN flows couple
  })
  void localRecomputationMatchesTheExactMaxMinAllocation(
      long seed, int peers, int active, int flows, double cdnUplink) {
    Swarm s = run(seed, peers, active, flows, cdnUplink, Integer.MAX_VALUE);
    assertEquals(10, s.checks);
  }

  /**
   * Cost: at two flows per active peer the flows form one giant component, but the saturated
   * constraints do not, and a recomputation visits only what is connected through those: a few
   * dozen flows, never near the default bound.
   */
  @ParameterizedTest(name = "seed {0}: {2} of {1} peers active, {3} flows")
  @CsvSource({
      "1, 3000, 1000, 2000",
      "2, 3000, 1000, 2000",
      "5, 5000, 2000, 4000",
  })
  void recomputationVisitsOnlyTheSaturatedNeighbourhood(
      long seed, int peers, int active, int flows) {
    Swarm s = run(seed, peers, active, flows, INF, FlowNetwork.DEFAULT_MAX_REGION_FLOWS);
    double visited = s.visitedPerRecomputation;
    assertEquals(0, s.net.truncatedRecomputations(), "no region reached the bound");
    assertTrue(visited < s.component / 10.0,
        visited + " flows visited per recomputation, component " + s.component);
  }

  private static Swarm run(
      long seed, int peers, int active, int flows, double cdnUplink, int maxRegionFlows) {
    Swarm s = new Swarm(seed, peers, active, cdnUplink, maxRegionFlows);
    s.churn(flows, flows);
    s.component = s.largestComponentFlows();
    assertTrue(s.component > flows / 2, "the sample swarm is dense: giant component " + s.component);
    long r0 = s.net.recomputations();
    long v0 = s.net.flowsRecomputed();
    for (int round = 0; round < 10; round++) {
      s.churn(flows, 200);
      s.checkAgainstExact();
    }
    s.visitedPerRecomputation =
        (s.net.flowsRecomputed() - v0) / (double) (s.net.recomputations() - r0);
    System.out.printf(java.util.Locale.ROOT,
        "seed %d, region bound %d: %d flows, giant component %d flows, %.1f flows visited per"
            + " recomputation, %d truncated, %d solved again of %d, max relative error %.3g over"
            + " %d checks%n",
        seed, maxRegionFlows, s.ids.size(), s.component, s.visitedPerRecomputation,
        s.net.truncatedRecomputations(), s.net.regionRetries(), s.net.recomputations(),
        s.maxRelativeError, s.checks);
    return s;
  }
}
