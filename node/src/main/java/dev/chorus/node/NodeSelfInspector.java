package dev.chorus.node;

import dev.chorus.node.internal.inspect.ChunkMap;
import dev.chorus.node.internal.inspect.NeighbourView;
import dev.chorus.node.internal.inspect.NodeInspector;
import dev.chorus.node.internal.inspect.NodeView;
import dev.chorus.node.internal.inspect.PeerBytes;
import dev.chorus.node.internal.core.Source;
import dev.chorus.node.internal.peer.PeerLink;
import dev.chorus.node.internal.peer.PeerNetwork;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * A node's {@link NodeInspector}: the counters and the cache are read where they live
 * (thread-safe), the neighbours' measured rates are asked of the swarm core on its thread through
 * the {@link CoreLoop}, and the peer links give addresses and RTTs.
 */
final class NodeSelfInspector implements NodeInspector {
  private final ChorusNode node;
  private final CoreLoop loop;
  private final NodeStatsRecorder stats;
  private final ChunkStore store;
  private final ReceivedChunks received;
  private final Playback playback;
  private final PeerNetwork network;
  private final BooleanSupplier trackerConnected;
  private final List<URI> origins;

  NodeSelfInspector(ChorusNode node, CoreLoop loop, NodeStatsRecorder stats, ChunkStore store,
      ReceivedChunks received, Playback playback, PeerNetwork network, BooleanSupplier trackerConnected,
      List<URI> origins) {
    this.node = node;
    this.loop = loop;
    this.stats = stats;
    this.store = store;
    this.received = received;
    this.playback = playback;
    this.network = network;
    this.trackerConnected = trackerConnected;
    this.origins = List.copyOf(origins);
  }

  @Override
  public CompletableFuture<NodeView> view(Executor executor) {
    return loop.ask(core -> core.neighbourRates()).thenApplyAsync(this::view, executor);
  }

  private NodeView view(Map<NodeId, Double> rates) {
    List<NeighbourView> neighbours = new ArrayList<>();
    for (PeerLink link : network.links()) {
      NodeId id = link.nodeId();
      Double rate = rates.get(id);
      if (rate != null) { // a link the core has not admitted (yet, or refused) is no neighbour
        neighbours.add(new NeighbourView(id, link.remoteAddress(), link.rttNanos(), rate,
            stats.peerTraffic().of(id)));
      }
    }
    neighbours.sort(Comparator.comparing((NeighbourView n) -> -n.bytes().received()).thenComparing(
        n -> n.id().toHex()));
    return new NodeView(node.nodeId(), node.stats(), store.usedBytes(), store.capacityBytes(), store.isCaching(),
        trackerConnected.getAsBoolean(), chunkMap(), List.copyOf(neighbours));
  }

  private ChunkMap chunkMap() {
    Playback.Shown now = playback.shown();
    if (now == null) {
      return null;
    }
    TrackManifest m = now.stream().manifest();
    BitSet held = received.held(m.trackId());
    ChunkSources.Track fetched = stats.chunkSources().of(m.trackId());
    List<NodeId> peers = new ArrayList<>();
    Map<NodeId, Character> letters = new HashMap<>();
    StringBuilder chunks = new StringBuilder(m.chunkCount());
    PlayedBytesLedger ledger = stats.ledger();
    for (int i = 0; i < m.chunkCount(); i++) {
      Source source = ledger.sourceOf(now.play(), i);
      if (source == Source.CDN) {
        chunks.append(ChunkMap.CDN);
      } else if (source == Source.PEER) {
        NodeId peer = fetched.fetched(i) ? fetched.from(i) : null;
        if (peer == null) {
          chunks.append(ChunkMap.OTHER_PEER);
        } else {
          Character letter = letters.get(peer);
          if (letter == null && peers.size() < ChunkMap.MAX_NAMED_PEERS) {
            letter = (char) ('a' + peers.size());
            peers.add(peer);
            letters.put(peer, letter);
          }
          chunks.append(letter == null ? ChunkMap.OTHER_PEER : letter);
        }
      } else {
        chunks.append(held.get(i) ? ChunkMap.CACHE : ChunkMap.MISSING);
      }
    }
    return new ChunkMap(m.trackId(), m.sizeBytes(), m.durationMillis(), chunks.toString(), List.copyOf(peers),
        now.readPosition(), now.open());
  }

  @Override
  public Map<NodeId, PeerBytes> peerTraffic() {
    return stats.peerTraffic().snapshot();
  }

  @Override
  public List<URI> origins() {
    return origins;
  }
}
