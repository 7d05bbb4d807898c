package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.simulator.network.NetworkModel;
import dev.chorus.simulator.scenario.Scenario;
import org.junit.jupiter.api.Test;

/**
 * The simulator's shell side of the {@code SwarmActions} contract, checked over a whole run of a
 * small swarm with a third of the peers behind NAT. Every outcome comes back as a later event: the
 * core's {@code CommandGuard} throws on an event delivered inside a command, so the run finishing
 * is the check. Acquired chunks reach the tracker and the neighbours (Haves), as a node's do. And
 * the one connection rule ({@code ConnectionPlan}) holds end to end: a lookup never hands out a
 * holder the asker cannot connect to, and no core tries one; without reversal peers behind NAT are
 * not indexed at all, with it they are reached by reversal.
 */
class SimShellTest {
  static World ranWorld() {
    return ranWorld(true);
  }

  static World ranWorld(boolean reversal) {
    return ranWorld(reversal, true, 0);
  }

  static World ranWorld(boolean reversal, boolean punching, double punchableShare) {
    Scenario small = SwarmSimulationTest.small(7);
    Scenario s = small.toBuilder()
        .network(NetworkModel.Config.builder(small.peers()).natShare(0.35).punchableShare(punchableShare).build())
        .reversal(reversal)
        .punching(punching)
        .build();
    World w = new World(s, 0);
    w.start();
    w.run((now, events, pending) -> { }, 1_000_000);
    assertNull(w.metrics.invariantViolation());
    return w;
  }

  @Test
  void holdingsReachTheTrackerAndTheNeighboursAndReversalReachesPeersBehindNat() {
    World w = ranWorld(true);
    World.ShellCounts c = w.shell;
    System.out.println("haves " + c.havesDelivered + ", holdings indexed " + c.holdingsIndexed
        + ", announces not indexed " + c.announcesNotIndexed + ", reversals " + c.reversals);
    assertTrue(c.havesDelivered > 0, "neighbours were told of new holdings");
    assertTrue(c.holdingsIndexed > 0, "the tracker indexed holdings");
    assertEquals(0, c.announcesNotIndexed, "with reversal every peer can be reached by someone");
    assertTrue(c.reversals > 0, "reachable peers had holders behind NAT connect to them");
    assertEquals(0, c.unreachableInAnswers, "a lookup handed out a holder the asker cannot connect to");
    assertEquals(0, c.dialsToUnreachable, "a core tried a peer it cannot connect to");
  }

  @Test
  void withoutReversalPeersBehindNatAreNeitherIndexedNorDialled() {
    World w = ranWorld(false);
    World.ShellCounts c = w.shell;
    assertTrue(c.announcesNotIndexed > 0, "peers behind NAT announced, and were not indexed");
    assertEquals(0, c.reversals);
    assertEquals(0, c.unreachableInAnswers, "a lookup handed out a peer nobody can dial");
    assertEquals(0, c.dialsToUnreachable, "a core dialled a peer that accepts no connections");
  }

  @Test
  void twoPeersBehindNatsPunchAndConnectOnlyWhenBothRoutersLetASimultaneousOpenThrough() {
    World through = ranWorld(true, true, 1);
    System.out.println("punches " + through.shell.punches + ", failed " + through.shell.punchesFailed);
    assertTrue(through.shell.punches > 0, "peers behind NATs were paired by the tracker");
    assertEquals(0, through.shell.punchesFailed, "every router lets a simultaneous open through");
    assertEquals(0, through.shell.unreachableInAnswers);
    assertEquals(0, through.shell.dialsToUnreachable);

    World blocked = ranWorld(true, true, 0);
    assertTrue(blocked.shell.punches > 0, "the tracker pairs them all the same: it cannot know the routers");
    assertEquals(blocked.shell.punches, blocked.shell.punchesFailed, "no router lets one through");

    World off = ranWorld(true, false, 1);
    assertEquals(0, off.shell.punches, "node.punching = false");
  }
}
