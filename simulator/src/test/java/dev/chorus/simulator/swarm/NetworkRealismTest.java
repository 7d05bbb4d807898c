package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.simulator.network.NetworkModel;
import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.SimulationProgress;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The network's realism on a small swarm: slow start, the CDN's request time, failing peers. */
class NetworkRealismTest {
  private static RunResult run(UnaryOperator<NetworkModel.Builder> network) {
    Scenario base = SwarmSimulationTest.small(5);
    Scenario s = base.toBuilder()
        .network(network.apply(NetworkModel.Config.builder(base.peers())).build()).build();
    RunResult r = SwarmSimulation.run(s, 0, SimulationProgress.NONE);
    assertNull(r.invariantViolation());
    return r;
  }

  @Test
  void slowStartDelaysTransfersOnColdConnectionsAndNoneWhenOff() {
    RunResult on = run(n -> n.tcpInitialWindowBytes(4_380));
    RunResult off = run(n -> n.tcpInitialWindowBytes(0));
    assertTrue(on.metric(RunResult.SLOW_START_DELAYS) > 0, on.summary().toString());
    assertEquals(0, off.metric(RunResult.SLOW_START_DELAYS));
  }

  @Test
  void theCdnsRequestTimeAddsToTheStartOfPlaysThatFetch() {
    RunResult fast = run(n -> n.cdnRequestMs(0).tcpInitialWindowBytes(0));
    RunResult slow = run(n -> n.cdnRequestMs(400).tcpInitialWindowBytes(0));
    double a = fast.metric(RunResult.START_LATENCY_FETCHED_P50_MS);
    double b = slow.metric(RunResult.START_LATENCY_FETCHED_P50_MS);
    assertTrue(b > a + 300, "median fetched start " + a + " ms -> " + b + " ms");
  }

  @Test
  void peersCrashAndTurnSlowAtTheirRatesAndTheBytesStillAddUp() {
    RunResult none = run(n -> n);
    RunResult failing = run(n -> n.crashPerHour(1).slowPerHour(2).slowStallMs(3000));
    assertEquals(0, none.metric(RunResult.PEER_CRASHES));
    assertEquals(0, none.metric(RunResult.PEER_SLOW_SPELLS));
    assertTrue(failing.metric(RunResult.PEER_CRASHES) > 10, failing.summary().toString());
    assertTrue(failing.metric(RunResult.PEER_SLOW_SPELLS) > 10, failing.summary().toString());
    // Crashed peers vanish mid-transfer and slow ones stall: more plays stutter.
    assertTrue(failing.metric(RunResult.STUTTER_RATE) > none.metric(RunResult.STUTTER_RATE),
        none.metric(RunResult.STUTTER_RATE) + " -> " + failing.metric(RunResult.STUTTER_RATE));
  }
}
