package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.ReachabilityClass;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NatTest {

  @Test
  void shareOfPeersIsClosedAndTheCdnIsOpen() {
    int peers = 100_000;
    Nat nat = Nat.generate(peers + 1, peers, 0.35, new SplittableRandom(1));
    assertEquals(0.35, nat.closedCount() / (double) peers, 0.01);
    assertTrue(nat.acceptsIncoming(peers));
  }

  @Test
  void closedHostsAreTheOnesThatAcceptNothingAndTheCdnAlwaysAccepts() {
    Nat nat = Nat.generate(201, 200, 0.5, new SplittableRandom(2));
    int closed = 0;
    for (int h = 0; h < 200; h++) {
      closed += nat.acceptsIncoming(h) ? 0 : 1;
    }
    assertEquals(nat.closedCount(), closed);
    assertTrue(closed > 60 && closed < 140, "about half of 200 behind NAT, got " + closed);
    assertTrue(nat.acceptsIncoming(200), "the CDN host");
  }

  @Test
  void extremes() {
    Nat all = Nat.generate(10, 10, 1, new SplittableRandom(3));
    Nat none = Nat.generate(10, 10, 0, new SplittableRandom(3));
    assertEquals(10, all.closedCount());
    assertEquals(0, none.closedCount());
    assertEquals(0, Nat.open(10).closedCount());
    LatencyTest.assertKey("network.natShare", () -> Nat.generate(10, 10, 1.1, new SplittableRandom(0)));
  }

  @Test
  void aClosedHostsClassFollowsWhatItsNodeDoesAndWhetherItsRouterMaps() {
    int peers = 2_000;
    Nat nat = Nat.generate(peers + 1, peers, 0.5, 0.4, new SplittableRandom(4));
    int mapped = 0;
    for (int h = 0; h < peers; h++) {
      ReachabilityClass withEverything = nat.reachability(h, true, true);
      if (nat.acceptsIncoming(h)) {
        assertEquals(ReachabilityClass.PUBLIC, withEverything);
        assertEquals(ReachabilityClass.PUBLIC, nat.reachability(h, false, false));
        continue;
      }
      assertEquals(ReachabilityClass.REVERSAL_ONLY, nat.reachability(h, false, true), "no mapping asked for");
      assertEquals(ReachabilityClass.NONE, nat.reachability(h, false, false), "no traversal at all");
      if (withEverything == ReachabilityClass.MAPPED) {
        mapped++;
        assertEquals(ReachabilityClass.MAPPED, nat.reachability(h, true, false), "a mapping needs no reversal");
      } else {
        assertEquals(ReachabilityClass.REVERSAL_ONLY, withEverything, "its router maps nothing");
      }
    }
    assertEquals(nat.mappableCount(), mapped);
    assertEquals(0.4, mapped / (double) nat.closedCount(), 0.05);
    assertEquals(ReachabilityClass.PUBLIC, nat.reachability(peers, true, true), "the CDN host");
  }

  @Test
  void theMappableShareDoesNotMoveTheNatDraw() {
    Nat without = Nat.generate(501, 500, 0.35, 0, new SplittableRandom(5));
    Nat with = Nat.generate(501, 500, 0.35, 0.9, new SplittableRandom(5));
    Nat plain = Nat.generate(501, 500, 0.35, new SplittableRandom(5));
    for (int h = 0; h < 500; h++) {
      assertEquals(plain.acceptsIncoming(h), without.acceptsIncoming(h));
      assertEquals(plain.acceptsIncoming(h), with.acceptsIncoming(h));
    }
    assertEquals(0, without.mappableCount());
    LatencyTest.assertKey("network.mappableShare", () -> Nat.generate(10, 10, 0.5, -0.1, new SplittableRandom(0)));
  }

  @Test
  void aClosedUnmappedPunchingHostIsPunchableAndItsRouterDecidesWhetherASimultaneousOpenPasses() {
    int peers = 2_000;
    Nat nat = Nat.generate(peers + 1, peers, 0.5, 0.4, 0.6, new SplittableRandom(6));
    Nat withoutPunch = Nat.generate(peers + 1, peers, 0.5, 0.4, new SplittableRandom(6));
    int closedUnmapped = 0;
    int letThrough = 0;
    for (int h = 0; h < peers; h++) {
      assertEquals(withoutPunch.acceptsIncoming(h), nat.acceptsIncoming(h), "the punchable share moves no NAT draw");
      assertEquals(withoutPunch.reachability(h, true, true), nat.reachability(h, true, true), "nor a mapping draw");
      ReachabilityClass c = nat.reachability(h, true, true, true);
      if (nat.acceptsIncoming(h)) {
        assertEquals(ReachabilityClass.PUBLIC, c);
        assertTrue(nat.letsSimultaneousOpen(h));
        continue;
      }
      assertEquals(ReachabilityClass.NONE, nat.reachability(h, false, false, true), "punching needs reversal");
      if (c == ReachabilityClass.MAPPED) {
        continue;
      }
      assertEquals(ReachabilityClass.PUNCHABLE, c, "as the tracker sees it, whatever the router does");
      assertEquals(ReachabilityClass.REVERSAL_ONLY, nat.reachability(h, true, true, false));
      closedUnmapped++;
      if (nat.letsSimultaneousOpen(h)) {
        letThrough++;
      }
    }
    assertEquals(0.6, letThrough / (double) closedUnmapped, 0.05);
    LatencyTest.assertKey("network.punchableShare", () -> Nat.generate(10, 10, 0.5, 0, 1.5, new SplittableRandom(0)));
  }
}
