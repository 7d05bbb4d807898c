package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.portmap.ScriptedGateway;
import dev.chorus.testing.Await;
import dev.chorus.tracker.index.Candidate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with {@code portMapping(AUTO)} against a scripted gateway on loopback and a real tracker:
 * the port the gateway mapped is what the tracker records for the node, {@code NodeStats}, the
 * listener and the metrics show it, and closing the node deletes it on the gateway. A gateway
 * that maps nothing leaves the node running with its own port.
 */
class PortMappingNodeTest {
  private static final int MAPPED_PORT = 40_123;

  @TempDir
  Path dir;
  private LocalSwarm swarm;
  private ScriptedGateway gateway;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final NodeListener listener = new NodeListener() {
    @Override
    public void portMapped(String protocol, String externalAddress, int externalPort) {
      events.add("mapped " + protocol + " " + externalAddress + ":" + externalPort);
    }

    @Override
    public void portMappingLost(String reason) {
      events.add("lost " + reason);
    }
  };

  @BeforeEach
  void start() throws Exception {
    swarm = new LocalSwarm(dir, 1, 64 * 1024);
    gateway = new ScriptedGateway();
  }

  @AfterEach
  void stop() {
    // start() aborts (the test is skipped) where nginx is missing: then there is nothing to close,
    // and a null here would turn the skip into an error.
    if (swarm != null) {
      swarm.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theMappedPortIsAnnouncedToTheTrackerAndRemovedOnClose() throws Exception {
    gateway.grantPort = MAPPED_PORT; // not the peer port: the tracker must learn the gateway's
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ChorusNode node = swarm.startNode("mapped", b -> b.portMapping(NodeConfig.PortMapping.AUTO)
        .portMappingConfig(gateway.config().build()).listener(listener).meterRegistry(registry));
    LocalSwarm.play(node, swarm.tracks.get(0).id()); // a holding, so the tracker indexes the node

    Await.until(() -> announcedPorts().contains(MAPPED_PORT), "the tracker records the mapped port " + MAPPED_PORT);
    assertEquals(List.of(MAPPED_PORT), announcedPorts(), "only the mapped port, not the peer port "
        + node.peerPort());
    NodeStats stats = node.stats();
    assertEquals("mapped", stats.portMappingState());
    assertEquals("pcp", stats.portMappingProtocol());
    assertEquals(ScriptedGateway.EXTERNAL_ADDRESS, stats.externalAddress());
    assertEquals(MAPPED_PORT, stats.externalPort());
    assertEquals(List.of("mapped pcp " + ScriptedGateway.EXTERNAL_ADDRESS + ":" + MAPPED_PORT), events);
    assertEquals(1.0, registry.get("chorus.node.port.mapping").tag("protocol", "pcp").tag("outcome", "mapped")
        .counter().count());
    assertEquals(MAPPED_PORT, registry.get("chorus.node.port.mapping.external.port").gauge().value());
    assertEquals(new ScriptedGateway.Entry(dev.chorus.node.internal.portmap.MappingProtocol.PCP, node.peerPort(),
        7200), gateway.mappings.get(MAPPED_PORT));

    node.close();
    assertEquals(1, gateway.count("pcp delete " + node.peerPort()));
    assertTrue(gateway.mappings.isEmpty(), gateway.mappings.toString());
    assertEquals("lost removed on close", events.get(events.size() - 1));
    assertEquals("stopped", node.stats().portMappingState());
  }

  @Test
  void withoutAnyGatewayProtocolTheNodeRunsAndAnnouncesItsOwnPort() throws Exception {
    gateway.pcp = false;
    gateway.natPmp = false;
    gateway.upnp = false;
    ChorusNode node = swarm.startNode("unmapped", b -> b.portMapping(NodeConfig.PortMapping.AUTO)
        .portMappingConfig(gateway.config().build()).listener(listener));
    byte[] played = LocalSwarm.play(node, swarm.tracks.get(0).id());
    assertEquals(swarm.tracks.get(0).content().length, played.length);
    Await.until(() -> "failed".equals(node.stats().portMappingState()), "the mapping reported failed");
    Await.until(() -> announcedPorts().contains(node.peerPort()), "the tracker records the peer port");
    assertTrue(events.get(0).startsWith("lost pcp: PCP map: no answer"), events.toString());
    assertEquals(0, node.stats().externalPort());
  }

  @Test
  void portMappingIsOffByDefault() throws Exception {
    ChorusNode node = swarm.startNode("default");
    assertEquals("off", node.stats().portMappingState());
    assertEquals(List.of(), gateway.requests);
  }

  private List<Integer> announcedPorts() {
    return swarm.index().candidates(swarm.tracks.get(0).id(), System.currentTimeMillis()).toCompletableFuture()
        .join().stream().map(Candidate::peer).map(p -> p.port()).toList();
  }
}
