package dev.chorus.node.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.Await;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mapper against a scripted gateway on loopback speaking real NAT-PMP, PCP and UPnP-IGD:
 * each protocol maps, renews and deletes; absent protocols fall through in order; gateway errors
 * and broken answers leave the node without a mapping and say why.
 */
class PortMapperTest {
  private static final int PORT = 7401;
  private final ScriptedGateway gateway = newGateway();
  private final RecordingListener events = new RecordingListener();
  private PortMapper mapper;

  @AfterEach
  void close() {
    if (mapper != null) {
      mapper.close();
    }
    gateway.close();
  }

  @Test
  void pcpMapsRenewsAtHalfLifeAndDeletesOnClose() throws Exception {
    gateway.grantLifetime = 2; // renewed after 1 s
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    Mapping m = events.nextMapped();
    assertEquals(new Mapping(MappingProtocol.PCP, ScriptedGateway.EXTERNAL_ADDRESS, PORT, 2), m);
    assertEquals(new ScriptedGateway.Entry(MappingProtocol.PCP, PORT, 2), gateway.mappings.get(PORT));
    Await.until(() -> gateway.count("pcp map " + PORT + "->" + PORT) >= 2, "a PCP renewal for the same port");
    Await.until(() -> events.renewals() >= 1, "the renewal reported");
    mapper.close();
    assertEquals(1, gateway.count("pcp delete " + PORT));
    assertTrue(gateway.mappings.isEmpty(), gateway.mappings.toString());
    assertEquals("on close: removed on close", events.lastUnmapReason());
    assertEquals(PortMappingStatus.State.STOPPED, mapper.status().state());
  }

  @Test
  void aNatPmpOnlyGatewayIsUsedAfterItRefusesPcpAndTheMappingIsDeletedOnClose() throws Exception {
    gateway.pcp = false; // it answers PCP with NAT-PMP's "unsupported version"
    gateway.grantLifetime = 2;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    Mapping m = events.nextMapped();
    assertEquals(new Mapping(MappingProtocol.NAT_PMP, ScriptedGateway.EXTERNAL_ADDRESS, PORT, 2), m);
    assertEquals(List.of("pcp refused: nat-pmp only", "nat-pmp address", "nat-pmp map 7401->7401 7200"),
        gateway.requests.subList(0, 3));
    Await.until(() -> gateway.count("nat-pmp map") >= 2, "a NAT-PMP renewal");
    mapper.close();
    assertEquals(1, gateway.count("nat-pmp delete " + PORT));
    assertTrue(gateway.mappings.isEmpty());
  }

  @Test
  void withoutPcpAndNatPmpUpnpMapsWithItsLeaseAndDeletesOnClose() throws Exception {
    gateway.pcp = false;
    gateway.natPmp = false; // silent on 5351
    mapper = PortMapper.start(gateway.config().policy(MappingPolicy.defaults().withLifetimeSeconds(2)).build(), PORT,
        events);
    Mapping m = events.nextMapped();
    assertEquals(new Mapping(MappingProtocol.UPNP_IGD, ScriptedGateway.EXTERNAL_ADDRESS, PORT, 2), m);
    assertTrue(gateway.requests.contains("upnp AddPortMapping 7401 2 127.0.0.1"), gateway.requests.toString());
    Await.until(() -> gateway.count("upnp AddPortMapping") >= 2, "a UPnP renewal (the lease asked again)");
    assertEquals(1, gateway.count("upnp search"), "the service found once is kept for renewals");
    mapper.close();
    assertEquals(1, gateway.count("upnp DeletePortMapping 7401"));
    assertTrue(gateway.mappings.isEmpty());
  }

  @Test
  void aMappingWhoseRenewalsFailIsLostAtExpiryAndTheNextRoundFindsAnotherProtocol() throws Exception {
    gateway.grantLifetime = 2;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    assertEquals(MappingProtocol.PCP, events.nextMapped().protocol());
    gateway.pcp = false; // the router was switched to NAT-PMP only: PCP renewals are refused
    Mapping next = events.nextMapped();
    assertEquals(MappingProtocol.NAT_PMP, next.protocol());
    assertTrue(events.lastUnmapReason().contains("pcp: "), events.lastUnmapReason());
    assertTrue(gateway.count("pcp refused: nat-pmp only") >= 2, "a renewal and the new round's PCP try: "
        + gateway.requests);
  }

  @Test
  void aGatewayGrantingAnotherPortIsBelieved() throws Exception {
    gateway.grantPort = 40_123;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    assertEquals(40_123, events.nextMapped().externalPort());
    assertEquals(40_123, mapper.status().mapping().externalPort());
  }

  @Test
  void aTakenUpnpPortIsRetriedWithAnotherPort() throws Exception {
    gateway.pcp = false;
    gateway.natPmp = false;
    gateway.addPortMappingFaults.add(718);
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    Mapping m = events.nextMapped();
    assertTrue(m.externalPort() != PORT && m.externalPort() >= 1024, "another port: " + m);
    assertEquals(2, gateway.count("upnp AddPortMapping"));
    assertEquals(new ScriptedGateway.Entry(MappingProtocol.UPNP_IGD, PORT, 7200), gateway.mappings.get(m.externalPort()));
  }

  @Test
  void aGatewayWithOnlyPermanentUpnpLeasesGetsAskedForOne() throws Exception {
    gateway.pcp = false;
    gateway.natPmp = false;
    gateway.addPortMappingFaults.add(725);
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    assertEquals(0, events.nextMapped().lifetimeSeconds());
    assertTrue(gateway.requests.contains("upnp AddPortMapping 7401 0 127.0.0.1"), gateway.requests.toString());
  }

  @Test
  void refusalsByEveryProtocolLeaveNoMappingAndSayWhy() throws Exception {
    gateway.pcpResult = 2; // NOT_AUTHORIZED
    gateway.natPmpResult = 2;
    gateway.addPortMappingFaults.add(606);
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    String why = events.nextFailure();
    assertTrue(why.contains("pcp: PCP result 2: NOT_AUTHORIZED"), why);
    assertTrue(why.contains("nat-pmp: NAT-PMP result 2: not authorized"), why);
    assertTrue(why.contains("upnp-igd: UPnP AddPortMapping failed with error 606"), why);
    assertEquals(PortMappingStatus.State.FAILED, mapper.status().state());
    assertTrue(gateway.mappings.isEmpty());
  }

  @Test
  void aGatewayAnsweringNothingLeavesNoMapping() throws Exception {
    gateway.pcp = false;
    gateway.natPmp = false;
    gateway.upnp = false;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    String why = events.nextFailure();
    assertTrue(why.contains("pcp: PCP map: no answer"), why);
    assertTrue(why.contains("nat-pmp: NAT-PMP external address: no answer"), why);
    assertTrue(why.contains("upnp-igd: no UPnP gateway answered the SSDP search"), why);
  }

  @Test
  void brokenPcpAndNatPmpAnswersAreRejected() throws Exception {
    gateway.pcpBreakage = ScriptedGateway.Breakage.WRONG_NONCE;
    gateway.natPmpBreakage = ScriptedGateway.Breakage.OVERSIZED;
    gateway.upnp = false;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    String why = events.nextFailure();
    assertTrue(why.contains("PCP answer carries another request's nonce"), why);
    assertTrue(why.contains("the gateway's answer is over 1100 bytes"), why);
    assertFalse(events.anyMapped());
  }

  @Test
  void truncatedAndMislabelledAnswersAreRejected() throws Exception {
    gateway.pcpBreakage = ScriptedGateway.Breakage.TRUNCATED;
    gateway.natPmpBreakage = ScriptedGateway.Breakage.WRONG_OPCODE;
    gateway.upnp = false;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    String why = events.nextFailure();
    assertTrue(why.contains("PCP answer of 10 bytes"), why);
    assertTrue(why.contains("NAT-PMP answer has opcode 129, expected 128"), why);
  }

  @Test
  void aDescriptionWithADoctypeIsRejectedAndNoEntityIsExpanded() throws Exception {
    onlyUpnp();
    gateway.description = ScriptedGateway.Description.DOCTYPE_ENTITY;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    String why = events.nextFailure();
    assertTrue(why.contains("the device description is not well-formed XML (or has a DOCTYPE)"), why);
  }

  @Test
  void anOversizedDescriptionIsRejected() throws Exception {
    onlyUpnp();
    gateway.description = ScriptedGateway.Description.OVERSIZED;
    mapper = PortMapper.start(gateway.config().maxHttpBodyBytes(16 * 1024).build(), PORT, events);
    String why = events.nextFailure();
    assertTrue(why.contains("more than the 16384 a gateway needs") || why.contains("more than 16384 bytes"), why);
  }

  @Test
  void aControlUrlOnAnotherHostIsRejected() throws Exception {
    onlyUpnp();
    gateway.description = ScriptedGateway.Description.FOREIGN_CONTROL_URL;
    mapper = PortMapper.start(gateway.config().build(), PORT, events);
    String why = events.nextFailure();
    assertTrue(why.contains("names a control URL on another host: http://192.0.2.1:5000/ctl/IPConn"), why);
    assertEquals(0, gateway.count("upnp AddPortMapping"));
  }

  private void onlyUpnp() {
    gateway.pcp = false;
    gateway.natPmp = false;
  }

  private static ScriptedGateway newGateway() {
    try {
      return new ScriptedGateway();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** What the mapper reported, in order. */
  static final class RecordingListener implements PortMappingListener {
    private final BlockingQueue<Mapping> mapped = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> failures = new LinkedBlockingQueue<>();
    private volatile int renewals;
    private volatile String lastUnmapReason = "";
    private volatile boolean anyMapped;

    @Override
    public void mapped(Mapping mapping) {
      anyMapped = true;
      mapped.add(mapping);
    }

    @Override
    public void renewed(Mapping mapping) {
      renewals++;
    }

    @Override
    public void failed(String why) {
      failures.add(why);
    }

    @Override
    public void unmapped(Mapping mapping, boolean onClose, String why) {
      lastUnmapReason = onClose ? "on close: " + why : why;
    }

    Mapping nextMapped() throws InterruptedException {
      return Await.next(mapped, m -> true, Await.BOUND, () -> "no mapping was reported");
    }

    String nextFailure() throws InterruptedException {
      return Await.next(failures, m -> true, Await.BOUND, () -> "no failed round was reported");
    }

    int renewals() {
      return renewals;
    }

    String lastUnmapReason() {
      return lastUnmapReason;
    }

    boolean anyMapped() {
      return anyMapped;
    }
  }
}
