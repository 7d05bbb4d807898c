package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkModelTest {
  private static final FlowNetwork.Listener NONE = new FlowNetwork.Listener() {};

  @Test
  void peersPlusACdnWithUnboundedUplinkByDefault() {
    NetworkModel m = NetworkModel.build(
        NetworkModel.Config.builder(1000).build(), new SplittableRandom(1), NONE);
    assertEquals(1000, m.cdnHost());
    assertEquals(1001, m.flows().hostCount());
    assertEquals(Double.POSITIVE_INFINITY, m.flows().uplink(m.cdnHost()));
    assertTrue(m.nat().acceptsIncoming(m.cdnHost()));
    assertEquals(-1, m.latency().region(m.cdnHost()));
    // a CDN flow runs at the receiver's downlink
    long f = m.flows().startFlow(m.cdnHost(), 7, 1 << 20, 0);
    assertEquals(m.flows().downlink(7), m.flows().rate(f));
  }

  @Test
  void sameSeedSameNetwork() {
    NetworkModel.Config c = NetworkModel.Config.builder(2000).natShare(0.4).build();
    NetworkModel a = NetworkModel.build(c, new SplittableRandom(5), NONE);
    NetworkModel b = NetworkModel.build(c, new SplittableRandom(5), NONE);
    for (int p = 0; p < 2000; p++) {
      assertEquals(a.flows().uplink(p), b.flows().uplink(p));
      assertEquals(a.flows().downlink(p), b.flows().downlink(p));
      assertEquals(a.nat().acceptsIncoming(p), b.nat().acceptsIncoming(p));
      assertEquals(a.latency().rttMillis(p, 1999 - p), b.latency().rttMillis(p, 1999 - p));
    }
  }

  @Test
  void concernsHaveIndependentStreams() {
    NetworkModel a = NetworkModel.build(
        NetworkModel.Config.builder(500).natShare(0.1).build(), new SplittableRandom(5), NONE);
    NetworkModel b = NetworkModel.build(
        NetworkModel.Config.builder(500).natShare(0.9).bandwidth("fixed(up=1MB, down=1MB)")
            .build(), new SplittableRandom(5), NONE);
    for (int p = 0; p < 500; p++) {
      assertEquals(a.latency().rttMillis(p, 499 - p), b.latency().rttMillis(p, 499 - p));
    }
  }

  @Test
  void badConfigNamesTheKey() {
    LatencyTest.assertKey("network.peers", () -> NetworkModel.Config.builder(0).build());
    LatencyTest.assertKey("network.natShare",
        () -> NetworkModel.Config.builder(10).natShare(-0.1).build());
    LatencyTest.assertKey("network.cdnUplink",
        () -> NetworkModel.Config.builder(10).cdnUplink(0).build());
    LatencyTest.assertKey("network.bandwidth",
        () -> NetworkModel.Config.builder(10).bandwidth("classes()").build());
    LatencyTest.assertKey("network.maxRegionFlows",
        () -> NetworkModel.Config.builder(10).maxRegionFlows(0).build());
  }
}
