package dev.chorus.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeStats;
import dev.chorus.node.PlayedBytes;
import dev.chorus.node.internal.inspect.NodeInspection;
import dev.chorus.node.internal.inspect.PeerBytes;
import dev.chorus.node.stream.StreamServer;
import dev.chorus.protocol.NodeId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo page shows, put together on the demo's own thread about once a second: per node
 * its counters and a link to its own page; the transfers of the last 3 s (who sent whom how many
 * bytes per second, the origin being node 0), from each node's count of bytes received per peer;
 * the bytes played by source since the start (the share chart); and at the end the table the
 * terminal prints. Reads only thread-safe counters: no node's
 * core is asked anything.
 */
final class SwarmView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ChorusNode> nodes;
  private final List<StreamServer> streams;
  private final List<Listener> listeners;
  private final Map<NodeId, Integer> numbers = new HashMap<>();
  private final long durationNanos;
  /**
   * Recent looks: when, and per node the bytes received from each sender (0 = the origin).
   * Transfers are rates over the last {@link #TRANSFER_WINDOW_NANOS}: a listener reads in bursts,
   * so one second alone would show a flickering few.
   */
  private final Deque<Look> looks = new ArrayDeque<>();
  static final long TRANSFER_WINDOW_NANOS = 3_000_000_000L;

  private record Look(long atNanos, List<Map<Integer, Long>> received) {}
  /** The bytes played so far by source, one sample a look: [elapsed s, cache, peers, CDN]. */
  private final List<long[]> history = new ArrayList<>();
  /** Samples kept at most; when full, every other one is dropped (the series stays evenly spaced). */
  static final int MAX_HISTORY = 600;

  SwarmView(List<ChorusNode> nodes, List<StreamServer> streams, List<Listener> listeners, long durationNanos) {
    this.nodes = List.copyOf(nodes);
    this.streams = List.copyOf(streams);
    this.listeners = List.copyOf(listeners);
    this.durationNanos = durationNanos;
    for (int i = 0; i < nodes.size(); i++) {
      numbers.put(nodes.get(i).nodeId(), i + 1);
    }
  }

  /** The state now; {@code table} is the final table (null while running). */
  byte[] json(long nowNanos, long elapsedNanos, String table) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("phase", table == null ? "running" : "finished");
    m.put("elapsedS", Math.round(Math.min(elapsedNanos, durationNanos) / 1e9));
    m.put("durationS", Math.round(durationNanos / 1e9));
    List<Object> rows = new ArrayList<>();
    List<Object> transfers = new ArrayList<>();
    PlayedBytes played = PlayedBytes.NONE;
    long fromPeers = 0;
    long fromCdn = 0;
    while (looks.size() > 1 && nowNanos - looks.peekFirst().atNanos() > TRANSFER_WINDOW_NANOS) {
      looks.removeFirst();
    }
    Look since = looks.peekFirst();
    double seconds = since == null ? 0 : (nowNanos - since.atNanos()) / 1e9;
    List<Map<Integer, Long>> receivedNow = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeStats s = nodes.get(i).stats();
      Listener l = listeners.get(i);
      played = played.plus(s.played());
      fromPeers += s.bytesFromPeers();
      fromCdn += s.bytesFromCdn();
      rows.add(ordered("n", i + 1, "id", nodes.get(i).nodeId().toHex().substring(0, 8),
          "page", streams.get(i).urlPrefix().toString(), "plays", l.plays(), "skips", l.skips(),
          "played", played(s.played()), "fetched", ordered("peers", s.bytesFromPeers(), "cdn", s.bytesFromCdn()),
          "uploaded", s.bytesUploaded(), "startP50Ms", s.startLatencyP50Nanos() / 1e6,
          "startP90Ms", s.startLatencyP90Nanos() / 1e6, "stutters", s.stutters(), "neighbours", s.neighbours()));
      Map<Integer, Long> received = received(nodes.get(i), s);
      if (seconds > 0) {
        for (Map.Entry<Integer, Long> e : received.entrySet()) {
          long delta = e.getValue() - since.received().get(i).getOrDefault(e.getKey(), 0L);
          if (delta > 0) {
            transfers.add(ordered("from", e.getKey(), "to", i + 1, "bytesPerSecond", delta / seconds));
          }
        }
      }
      receivedNow.add(received);
    }
    looks.addLast(new Look(nowNanos, receivedNow));
    if (history.size() == MAX_HISTORY) {
      for (int i = history.size() - 1; i > 0; i -= 2) {
        history.remove(i);
      }
    }
    history.add(new long[] {Math.round(elapsedNanos / 1e9), played.fromCache(), played.fromPeers(), played.fromCdn()});
    m.put("history", history);
    m.put("nodes", rows);
    m.put("transfers", transfers);
    m.put("totals", ordered("played", played(played), "fetched", ordered("peers", fromPeers, "cdn", fromCdn),
        "plays", listeners.stream().mapToLong(Listener::plays).sum()));
    m.put("table", table);
    try {
      return JSON.writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the demo page's state", e);
    }
  }

  /** Bytes the node received, by sender: 0 the origin, else the sending node's number. */
  private Map<Integer, Long> received(ChorusNode node, NodeStats s) {
    Map<Integer, Long> by = new HashMap<>();
    by.put(0, s.bytesFromCdn());
    for (Map.Entry<NodeId, PeerBytes> e : NodeInspection.of(node).peerTraffic().entrySet()) {
      Integer from = numbers.get(e.getKey());
      if (from != null) {
        by.merge(from, e.getValue().received(), Long::sum);
      }
    }
    return by;
  }

  private static Map<String, Object> played(PlayedBytes p) {
    return ordered("cache", p.fromCache(), "peers", p.fromPeers(), "cdn", p.fromCdn());
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
