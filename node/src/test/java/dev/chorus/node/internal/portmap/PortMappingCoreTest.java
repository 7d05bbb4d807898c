package dev.chorus.node.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.portmap.MappingCommand.Map;
import dev.chorus.node.internal.portmap.MappingCommand.Unmap;
import dev.chorus.node.internal.portmap.PortMappingStatus.State;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The mapping decisions, driven with a fake clock (nanoseconds) and seeded randomness. */
class PortMappingCoreTest {
  private static final long S = 1_000_000_000L;
  private static final int PORT = 7401;
  private static final String EXT = "203.0.113.7";

  private final MappingPolicy policy = MappingPolicy.defaults();
  private final PortMappingCore core = new PortMappingCore(policy, PORT, new SplittableRandom(1));
  private long now = 1_000 * S;

  @Test
  void triesPcpThenNatPmpThenUpnpAndTakesTheFirstGrant() {
    assertEquals(new Map(MappingProtocol.PCP, PORT, 7200), core.start(now));
    assertEquals(new Map(MappingProtocol.NAT_PMP, PORT, 7200), core.failed(MappingFailure.NO_ANSWER, "silent", now));
    assertEquals(new Map(MappingProtocol.UPNP_IGD, PORT, 7200), core.failed(MappingFailure.UNSUPPORTED, "no", now));
    Mapping granted = new Mapping(MappingProtocol.UPNP_IGD, EXT, PORT, 7200);
    assertEquals(MappingCommand.WAIT, core.mapped(granted, now));
    assertEquals(State.MAPPED, core.status().state());
    assertEquals(granted, core.status().mapping());
  }

  @Test
  void theOrderComesFromThePolicy() {
    PortMappingCore upnpFirst = new PortMappingCore(policy.withOrder(List.of(MappingProtocol.UPNP_IGD,
        MappingProtocol.PCP)), PORT, new SplittableRandom(1));
    assertEquals(MappingProtocol.UPNP_IGD, ((Map) upnpFirst.start(now)).protocol());
    assertEquals(MappingProtocol.PCP, ((Map) upnpFirst.failed(MappingFailure.REFUSED, "606", now)).protocol());
  }

  @Test
  void renewsAtHalfTheGrantedLifetimeAskingForTheSameExternalPort() {
    core.start(now);
    core.mapped(new Mapping(MappingProtocol.PCP, EXT, 40_000, 600), now); // another port than asked for
    assertEquals(now + 300 * S, core.nextWakeNanos());
    assertEquals(MappingCommand.WAIT, core.tick(now + 299 * S), "not yet");
    now += 300 * S;
    assertEquals(new Map(MappingProtocol.PCP, 40_000, 7200), core.tick(now));
    core.mapped(new Mapping(MappingProtocol.PCP, EXT, 40_000, 7200), now);
    assertEquals(now + 3600 * S, core.nextWakeNanos());
  }

  @Test
  void aTinyLifetimeIsNotRenewedSoonerThanTheMinimum() {
    core.start(now);
    core.mapped(new Mapping(MappingProtocol.NAT_PMP, EXT, PORT, 1), now);
    assertEquals(now + policy.minRenewNanos(), core.nextWakeNanos());
  }

  @Test
  void aFailedRenewalIsRetriedUntilTheMappingExpiresThenANewRoundStarts() {
    core.start(now);
    long granted = now;
    core.mapped(new Mapping(MappingProtocol.NAT_PMP, EXT, PORT, 120), granted);
    now = core.nextWakeNanos(); // +60 s
    assertEquals(new Map(MappingProtocol.NAT_PMP, PORT, 7200), core.tick(now));
    assertEquals(MappingCommand.WAIT, core.failed(MappingFailure.NO_ANSWER, "silent", now));
    assertEquals(State.MAPPED, core.status().state(), "still mapped until it expires");
    assertEquals(now + 30 * S, core.nextWakeNanos(), "the renewal retry");
    now = core.nextWakeNanos(); // +90 s
    assertEquals(new Map(MappingProtocol.NAT_PMP, PORT, 7200), core.tick(now));
    core.failed(MappingFailure.NO_ANSWER, "silent", now);
    assertEquals(now + 15 * S, core.nextWakeNanos(), "half of the 30 s left");
    now = granted + 120 * S; // expired
    assertEquals(new Map(MappingProtocol.PCP, PORT, 7200), core.tick(now), "a new round, from the first protocol");
    assertEquals(State.DISCOVERING, core.status().state());
    assertNull(core.status().mapping());
    assertTrue(core.status().lastError().contains("expired"), core.status().lastError());
  }

  @Test
  void aTakenPortIsRetriedWithRandomOtherPortsThenTheNextProtocol() {
    PortMappingCore upnpOnly = new PortMappingCore(policy.withOrder(List.of(MappingProtocol.UPNP_IGD,
        MappingProtocol.NAT_PMP)), PORT, new SplittableRandom(7));
    upnpOnly.start(now);
    int previous = PORT;
    for (int i = 0; i < policy.conflictRetries(); i++) {
      Map retry = (Map) upnpOnly.failed(MappingFailure.CONFLICT, "718", now);
      assertEquals(MappingProtocol.UPNP_IGD, retry.protocol());
      assertNotEquals(previous, retry.suggestedExternalPort());
      assertTrue(retry.suggestedExternalPort() >= 1024 && retry.suggestedExternalPort() <= 65_535);
      previous = retry.suggestedExternalPort();
    }
    assertEquals(new Map(MappingProtocol.NAT_PMP, PORT, 7200), upnpOnly.failed(MappingFailure.CONFLICT, "718", now));
  }

  @Test
  void aGatewayWithOnlyPermanentLeasesIsAskedForOneAndItIsRecheckedLater() {
    PortMappingCore upnp = new PortMappingCore(policy.withOrder(List.of(MappingProtocol.UPNP_IGD)), PORT,
        new SplittableRandom(1));
    upnp.start(now);
    assertEquals(new Map(MappingProtocol.UPNP_IGD, PORT, 0), upnp.failed(MappingFailure.PERMANENT_ONLY, "725", now));
    upnp.mapped(new Mapping(MappingProtocol.UPNP_IGD, EXT, PORT, 0), now);
    assertEquals(now + policy.permanentRecheckNanos(), upnp.nextWakeNanos());
    assertEquals(new Map(MappingProtocol.UPNP_IGD, PORT, 0), upnp.tick(upnp.nextWakeNanos()));
  }

  @Test
  void whenEveryProtocolFailsTheNextRoundWaitsWithADoublingCappedBackoff() {
    core.start(now);
    long[] expected = {60, 120, 240, 480, 960, 1800, 1800};
    for (long wait : expected) {
      failRound();
      assertEquals(State.FAILED, core.status().state());
      assertEquals(now + wait * S, core.nextWakeNanos());
      now = core.nextWakeNanos();
      assertEquals(new Map(MappingProtocol.PCP, PORT, 7200), core.tick(now));
    }
    core.mapped(new Mapping(MappingProtocol.PCP, EXT, PORT, 7200), now);
    core.tick(core.nextWakeNanos());
    core.failed(MappingFailure.NO_ANSWER, "", core.nextWakeNanos());
    // a success resets the backoff: after a later loss, the first failed round waits 60 s again
    PortMappingCore fresh = new PortMappingCore(policy, PORT, new SplittableRandom(1));
    fresh.start(now);
    fresh.failed(MappingFailure.NO_ANSWER, "", now);
    fresh.failed(MappingFailure.NO_ANSWER, "", now);
    fresh.failed(MappingFailure.NO_ANSWER, "", now);
    assertEquals(now + 60 * S, fresh.nextWakeNanos());
  }

  @Test
  void theLastErrorNamesTheProtocolAndTheGatewaysReason() {
    core.start(now);
    core.failed(MappingFailure.REFUSED, "PCP result 2: NOT_AUTHORIZED", now);
    assertEquals("pcp: PCP result 2: NOT_AUTHORIZED", core.status().lastError());
  }

  @Test
  void stopRemovesTheMappingHeld() {
    core.start(now);
    Mapping m = new Mapping(MappingProtocol.NAT_PMP, EXT, 40_001, 7200);
    core.mapped(m, now);
    assertEquals(new Unmap(m), core.stop(now));
    assertEquals(State.STOPPED, core.status().state());
    assertEquals(Long.MAX_VALUE, core.nextWakeNanos());
    assertEquals(MappingCommand.WAIT, core.tick(now + 10_000 * S), "nothing after stop");
  }

  @Test
  void stopWithoutAMappingRemovesNothingAndAGrantArrivingAfterStopIsRemoved() {
    core.start(now);
    assertEquals(MappingCommand.WAIT, core.stop(now));
    Mapping late = new Mapping(MappingProtocol.PCP, EXT, PORT, 7200);
    assertEquals(new Unmap(late), core.mapped(late, now));
    assertEquals(MappingCommand.WAIT, core.failed(MappingFailure.NO_ANSWER, "", now));
  }

  @Test
  void theSameEventsGiveTheSameCommands() {
    List<MappingCommand> a = script(new PortMappingCore(policy, PORT, new SplittableRandom(3)));
    List<MappingCommand> b = script(new PortMappingCore(policy, PORT, new SplittableRandom(3)));
    assertEquals(a, b);
  }

  private static List<MappingCommand> script(PortMappingCore c) {
    long t = 0;
    return List.of(c.start(t), c.failed(MappingFailure.CONFLICT, "", t), c.failed(MappingFailure.CONFLICT, "", t),
        c.failed(MappingFailure.NO_ANSWER, "", t), c.mapped(new Mapping(MappingProtocol.NAT_PMP, EXT, 9, 60), t),
        c.tick(30 * S), c.stop(31 * S));
  }

  private void failRound() {
    core.failed(MappingFailure.NO_ANSWER, "silent", now);
    core.failed(MappingFailure.NO_ANSWER, "silent", now);
    core.failed(MappingFailure.NO_ANSWER, "silent", now);
  }
}
