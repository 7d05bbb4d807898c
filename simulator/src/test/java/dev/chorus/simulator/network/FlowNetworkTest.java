package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowNetworkTest {
  private static final long S = 1_000_000_000L;
  private static final double INF = Double.POSITIVE_INFINITY;

  private static FlowNetwork net(double[] up, double[] down) {
    return FlowNetwork.builder(up.length).capacities(up, down).build();
  }

  private static void assertNear(long expected, long actual, long tolerance) {
    assertTrue(Math.abs(expected - actual) <= tolerance, "expected " + expected + " got " + actual);
  }

  @Test
  void twoFlowsSharingAnUplinkSplitItEvenly() {
    FlowNetwork n = net(new double[] {100, 0, 0}, new double[] {0, 1000, 1000});
    long a = n.startFlow(0, 1, 1_000_000, 0);
    assertEquals(100, n.rate(a));
    long b = n.startFlow(0, 2, 1_000_000, 0);
    assertEquals(50, n.rate(a));
    assertEquals(50, n.rate(b));
    assertEquals(100, n.uplinkUsage(0));
  }

  @Test
  void aFlowLimitedBySlowDownlinkLeavesTheRestOfTheUplinkToOthers() {
    FlowNetwork n = net(new double[] {100, 0, 0}, new double[] {0, 20, 1000});
    long slow = n.startFlow(0, 1, 1_000_000, 0);
    long fast = n.startFlow(0, 2, 1_000_000, 0);
    assertEquals(20, n.rate(slow));
    assertEquals(80, n.rate(fast));
  }

  @Test
  void chainOfSharedHosts() {
    // A=0 uploads to B=1 (downlink 30) and to C=2 (downlink 100); D=3 (uplink 60) uploads to C.
    // B's downlink saturates first (30); A's residual 70 is more than C's fair share, so C's
    // downlink saturates next at 50 each.
    FlowNetwork n = net(new double[] {100, 0, 0, 60}, new double[] {0, 30, 100, 0});
    long ab = n.startFlow(0, 1, 1_000_000, 0);
    long ac = n.startFlow(0, 2, 1_000_000, 0);
    long dc = n.startFlow(3, 2, 1_000_000, 0);
    assertEquals(30, n.rate(ab), 1e-9);
    assertEquals(50, n.rate(ac), 1e-9);
    assertEquals(50, n.rate(dc), 1e-9);
    // D's uplink drops to 10: D->C is capped at 10, and A->C takes what C's downlink has left,
    // up to A's residual of 70.
    n.cancelFlow(dc, 0);
    n.setCapacity(3, 10, 0);
    dc = n.startFlow(3, 2, 1_000_000, 0);
    assertEquals(30, n.rate(ab), 1e-9);
    assertEquals(70, n.rate(ac), 1e-9);
    assertEquals(10, n.rate(dc), 1e-9);
  }

  @Test
  void endingAFlowChangesRatesTwoHopsAway() {
    // a: 0->1 and b: 2->1 share 1's downlink (60); b and c: 2->3 share 2's uplink (100).
    // 1's downlink saturates first: a = b = 30, and c takes 2's remaining 70.
    FlowNetwork n = net(new double[] {100, 0, 100, 0}, new double[] {0, 60, 0, INF});
    long a = n.startFlow(0, 1, 1_000_000, 0);
    long b = n.startFlow(2, 1, 1_000_000, 0);
    long c = n.startFlow(2, 3, 1_000_000, 0);
    assertEquals(30, n.rate(a), 1e-9);
    assertEquals(30, n.rate(b), 1e-9);
    assertEquals(70, n.rate(c), 1e-9);
    // Ending a lets b rise to 50, which takes from c: max-min rates are not monotone.
    n.cancelFlow(a, 0);
    assertEquals(2, n.lastRegionFlows());
    assertEquals(50, n.rate(b), 1e-9);
    assertEquals(50, n.rate(c), 1e-9);
  }

  @Test
  void completionTimesAndTheFreedShare() {
    FlowNetwork n = net(new double[] {100, 0, 0}, new double[] {0, INF, INF});
    long a = n.startFlow(0, 1, 500, 0);
    long b = n.startFlow(0, 2, 1000, 0);
    assertEquals(10 * S, n.completionTime(a));
    assertEquals(20 * S, n.completionTime(b));
    assertEquals(10 * S, n.nextCompletionNanos());
    List<long[]> done = new ArrayList<>();
    assertEquals(0, n.pollCompleted(10 * S - 1, (id, s, d, bytes, t) -> done.add(new long[] {id, t})));
    assertEquals(1, n.pollCompleted(12 * S, (id, s, d, bytes, t) -> done.add(new long[] {id, t})));
    assertEquals(a, done.get(0)[0]);
    assertEquals(10 * S, done.get(0)[1]);
    // b had 500 bytes left at 10 s and now runs at 100 B/s.
    assertEquals(100, n.rate(b));
    assertEquals(15 * S, n.completionTime(b));
    assertEquals(700, n.bytesTransferred(b, 12 * S));
    n.pollCompleted(100 * S, (id, s, d, bytes, t) -> done.add(new long[] {id, t}));
    assertEquals(b, done.get(1)[0]);
    assertEquals(15 * S, done.get(1)[1]);
    assertEquals(0, n.activeFlows());
    assertEquals(FlowNetwork.NEVER, n.nextCompletionNanos());
  }

  @Test
  void pollFinishesSeveralFlowsInTimeOrderRecomputingBetweenThem() {
    FlowNetwork n = net(new double[] {100, 0, 0, 0}, new double[] {0, INF, INF, INF});
    long a = n.startFlow(0, 1, 100, 0); // 33.3 B/s each: a done at 3 s
    long b = n.startFlow(0, 2, 200, 0);
    long c = n.startFlow(0, 3, 400, 0);
    List<Long> order = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    n.pollCompleted(1000 * S, (id, s, d, bytes, t) -> {
      order.add(id);
      times.add(t);
    });
    assertEquals(List.of(a, b, c), order);
    // a: 100 B at 100/3 -> 3 s; b: 100 B left at 50 -> 5 s; c: 400-100-100=200 B left at 100 -> 7 s
    assertNear(3 * S, times.get(0), 1);
    assertNear(5 * S, times.get(1), 2);
    assertNear(7 * S, times.get(2), 3);
  }

  @Test
  void cancellationReportsPartialProgressAndFreesCapacity() {
    FlowNetwork n = net(new double[] {100, 0, 0}, new double[] {0, INF, INF});
    long a = n.startFlow(0, 1, 1000, 0);
    long b = n.startFlow(0, 2, 1000, 0);
    assertEquals(150, n.bytesTransferred(a, 3 * S));
    assertEquals(0.15, n.progress(a, 3 * S), 1e-12);
    int vb = n.version(b);
    assertEquals(150, n.cancelFlow(a, 3 * S));
    assertFalse(n.isActive(a));
    assertTrue(n.version(b) != vb);
    assertEquals(100, n.rate(b));
    // 850 bytes left at 100 B/s from 3 s
    assertEquals(11_500_000_000L, n.completionTime(b));
    assertThrows(IllegalArgumentException.class, () -> n.rate(a));
  }

  @Test
  void staleIdsAreRejectedAfterSlotReuse() {
    FlowNetwork n = net(new double[] {100, 0}, new double[] {0, 100});
    long a = n.startFlow(0, 1, 1000, 0);
    n.cancelFlow(a, 0);
    long b = n.startFlow(0, 1, 1000, 0);
    assertEquals((int) a, (int) b, "slot reused");
    assertTrue(a != b);
    assertThrows(IllegalArgumentException.class, () -> n.cancelFlow(a, 0));
    assertTrue(n.isActive(b));
  }

  @Test
  void recomputationIsLocal() {
    int hosts = 1000;
    double[] up = new double[hosts];
    double[] down = new double[hosts];
    java.util.Arrays.fill(up, 100);
    java.util.Arrays.fill(down, 100);
    FlowNetwork n = net(up, down);
    // 100 disjoint pairs
    long[] ids = new long[100];
    for (int i = 0; i < 100; i++) {
      ids[i] = n.startFlow(2 * i, 2 * i + 1, 1_000_000, 0);
    }
    int[] versions = new int[100];
    for (int i = 0; i < 100; i++) {
      versions[i] = n.version(ids[i]);
    }
    long shared = n.startFlow(0, 501, 1_000_000, S);
    assertEquals(2, n.lastRegionFlows(), "only the flows sharing host 0's uplink");
    assertEquals(50, n.rate(ids[0]));
    assertTrue(n.version(ids[0]) != versions[0]);
    for (int i = 1; i < 100; i++) {
      assertEquals(versions[i], n.version(ids[i]), "flow " + i + " untouched");
      assertEquals(100, n.rate(ids[i]));
    }
    n.cancelFlow(shared, 2 * S);
    assertEquals(1, n.lastRegionFlows());
  }

  @Test
  void cdnFlowsDoNotCoupleThroughTheUnboundedUplink() {
    int peers = 100;
    double[] up = new double[peers + 1];
    double[] down = new double[peers + 1];
    java.util.Arrays.fill(down, 1000);
    up[peers] = INF;
    FlowNetwork n = net(up, down);
    for (int p = 0; p < peers; p++) {
      long f = n.startFlow(peers, p, 1_000_000, 0);
      assertEquals(1, n.lastRegionFlows());
      assertEquals(1000, n.rate(f));
    }
    assertEquals(peers * 1000.0, n.uplinkUsage(peers));
  }

  @Test
  void finiteCdnUplinkIsShared() {
    FlowNetwork n = net(new double[] {0, 0, 150}, new double[] {100, 100, 0});
    long a = n.startFlow(2, 0, 1_000_000, 0);
    long b = n.startFlow(2, 1, 1_000_000, 0);
    assertEquals(75, n.rate(a));
    assertEquals(75, n.rate(b));
  }

  @Test
  void zeroCapacityMeansNoProgress() {
    FlowNetwork n = net(new double[] {0, 0}, new double[] {0, 100});
    long a = n.startFlow(0, 1, 1000, 0);
    assertEquals(0, n.rate(a));
    assertEquals(FlowNetwork.NEVER, n.completionTime(a));
    assertEquals(0, n.bytesTransferred(a, 100 * S));
  }

  @Test
  void zeroByteFlowCompletesAtOnce() {
    FlowNetwork n = net(new double[] {100, 0}, new double[] {0, 100});
    n.startFlow(0, 1, 0, 5 * S);
    assertEquals(5 * S, n.nextCompletionNanos());
    assertEquals(1, n.pollCompleted(5 * S, (id, s, d, b, t) -> {}));
  }

  @Test
  void contractViolationsAreRejected() {
    FlowNetwork n = net(new double[] {100, 0, INF}, new double[] {0, 100, INF});
    assertThrows(IllegalArgumentException.class, () -> n.startFlow(0, 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> n.startFlow(0, 3, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> n.startFlow(0, 1, -1, 0));
    assertThrows(IllegalArgumentException.class, () -> n.startFlow(2, 2, 1, 0));
    n.startFlow(0, 1, 100, 10 * S); // completes at 11 s
    assertThrows(IllegalStateException.class, () -> n.startFlow(0, 1, 1, 9 * S), "backwards");
    assertThrows(IllegalStateException.class, () -> n.startFlow(0, 1, 1, 12 * S), "unpolled");
    assertThrows(IllegalStateException.class, () -> n.setCapacity(0, 1, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FlowNetwork.builder(2).uniformCapacities(-1, 1).build());
    assertTrue(e.getMessage().contains("network.uplink"), e.getMessage());
  }

  @Test
  void listenerHearsEveryReschedule() {
    List<long[]> heard = new ArrayList<>();
    FlowNetwork n = FlowNetwork.builder(3)
        .capacities(new double[] {100, 0, 0}, new double[] {0, INF, INF})
        .listener(new FlowNetwork.Listener() {
          @Override
          public void rescheduled(long flowId, int version, long completionNanos) {
            heard.add(new long[] {flowId, version, completionNanos});
          }
        })
        .build();
    long a = n.startFlow(0, 1, 1000, 0);
    assertEquals(1, heard.size());
    assertEquals(10 * S, heard.get(0)[2]);
    long b = n.startFlow(0, 2, 1000, 0);
    assertEquals(3, heard.size()); // a slowed down, b started
    for (long[] h : heard.subList(1, 3)) {
      long id = h[0];
      assertTrue(id == a || id == b);
      assertEquals(n.version(id), (int) h[1]);
      assertEquals(20 * S, h[2]);
    }
  }

  @Test
  void sinkMayStartFlowsDuringPoll() {
    FlowNetwork n = net(new double[] {100, 0}, new double[] {0, INF});
    n.startFlow(0, 1, 100, 0);
    int[] started = {0};
    int done = n.pollCompleted(10 * S, (id, s, d, bytes, t) -> {
      if (started[0]++ < 3) {
        n.startFlow(s, d, 100, t);
      }
    });
    assertEquals(4, done);
    assertEquals(0, n.activeFlows());
  }

  @Test
  void truncatedRegionsStayFeasible() {
    // A long chain: host i uploads to host i+1; each host's uplink and downlink 100.
    int hosts = 200;
    double[] c = new double[hosts];
    java.util.Arrays.fill(c, 100);
    FlowNetwork n = FlowNetwork.builder(hosts).capacities(c, c).maxRegionFlows(8).build();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i + 1 < hosts; i++) {
      ids.add(n.startFlow(i, i + 1, 1_000_000, 0));
      ids.add(n.startFlow(i + 1, i, 1_000_000, 0));
    }
    for (int i = 0; i + 2 < hosts; i += 3) {
      ids.add(n.startFlow(i, i + 2, 1_000_000, 0));
    }
    assertTrue(n.truncatedRecomputations() > 0);
    for (int h = 0; h < hosts; h++) {
      assertTrue(n.uplinkUsage(h) <= 100 + 1e-9, "uplink " + h);
      assertTrue(n.downlinkUsage(h) <= 100 + 1e-9, "downlink " + h);
    }
  }
}
