package dev.chorus.node;

import dev.chorus.node.internal.portmap.Mapping;
import dev.chorus.node.internal.portmap.PortMappingListener;
import dev.chorus.node.internal.trackerclient.TrackerClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * Where the port mapper's news goes: the port announced to the tracker, {@link NodeStats}, the
 * application's {@link NodeListener}, and the {@code chorus.node.port.mapping} counter.
 */
final class PortMappingEvents implements PortMappingListener {
  private final NodeStatsRecorder stats;
  private final TrackerClient tracker;
  private final int internalPort;
  private final NodeListener listener;
  private final Optional<MeterRegistry> registry;
  private final String nodeTag;

  PortMappingEvents(NodeStatsRecorder stats, TrackerClient tracker, int internalPort, NodeListener listener,
      Optional<MeterRegistry> registry, String nodeTag) {
    this.stats = stats;
    this.tracker = tracker;
    this.internalPort = internalPort;
    this.listener = listener;
    this.registry = registry;
    this.nodeTag = nodeTag;
  }

  @Override
  public void mapped(Mapping m) {
    stats.portMapping(new NodeStatsRecorder.PortMappingView("mapped", m.protocol().label(), m.externalAddress(),
        m.externalPort()));
    if (tracker != null) {
      tracker.listenPort(m.externalPort());
    }
    count(m.protocol().label(), "mapped");
    listener.portMapped(m.protocol().label(), m.externalAddress(), m.externalPort());
  }

  @Override
  public void renewed(Mapping m) {
    count(m.protocol().label(), "renewed");
  }

  @Override
  public void failed(String why) {
    stats.portMapping(new NodeStatsRecorder.PortMappingView("failed", "", "", 0));
    count("none", "failed");
    listener.portMappingLost(why);
  }

  @Override
  public void unmapped(Mapping m, boolean closing, String why) {
    stats.portMapping(new NodeStatsRecorder.PortMappingView(closing ? "stopped" : "discovering", "", "", 0));
    if (tracker != null) {
      tracker.listenPort(internalPort); // a no-op once the tracker client is closed
    }
    count(m.protocol().label(), closing ? "removed" : "lost");
    listener.portMappingLost(why);
  }

  private void count(String protocol, String outcome) {
    registry.ifPresent(r -> Counter.builder("chorus.node.port.mapping")
        .description("Port mapping outcomes: mapped, renewed, lost, removed (on close), failed (a round of all protocols)")
        .tag("protocol", protocol).tag("outcome", outcome).tag("node", nodeTag).register(r).increment());
  }
}
