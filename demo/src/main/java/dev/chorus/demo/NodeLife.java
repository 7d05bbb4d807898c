package dev.chorus.demo;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.NodeStats;
import dev.chorus.node.PlayedBytes;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * One demo node over its online periods: started when it comes online, closed when it leaves,
 * with the same identity and the same RocksDB cache directory each time (a user who quits the app
 * and starts it again), on a schedule drawn from the demo's seed ({@link SwarmVariation}). Its
 * counters are the sum over its periods. Without churn it is started once and stays online.
 *
 * <p>The node's {@link Listener} makes the transitions ({@link #transitionIfDue}) between plays,
 * so a node is never closed under an open stream: a leave waits for the read in progress.
 */
final class NodeLife implements AutoCloseable {
  private final NodeConfig config;
  private final SwarmVariation variation;
  private final SplittableRandom churn;
  private final boolean startsOnline;
  private long nextTransitionNanos = Long.MAX_VALUE;
  private ChorusNode online; // null while offline
  private ChorusNode latest; // the node of the current period, null while offline
  private NodeStats past = new NodeStats(PlayedBytes.NONE, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  private int periods;

  NodeLife(NodeConfig config, SwarmVariation variation, SplittableRandom churn) {
    this.config = config;
    this.variation = variation;
    this.churn = churn;
    this.startsOnline = variation.startsOnline(churn);
  }

  /** Starts the node if it is online at the start, and sets the first transition after {@code nowNanos}. */
  void begin(long nowNanos) throws IOException {
    if (startsOnline) {
      comeOnline();
    }
    if (variation.churns()) {
      nextTransitionNanos = nowNanos + variation.periodNanos(churn, startsOnline);
    }
  }

  synchronized long nextTransitionNanos() {
    return nextTransitionNanos;
  }

  /** Whether a transition (leave or come back) is due at {@code nowNanos}. */
  synchronized boolean due(long nowNanos) {
    return nowNanos >= nextTransitionNanos;
  }

  /** Leaves or comes back if that is due at {@code nowNanos}; the caller holds no open stream. */
  void transitionIfDue(long nowNanos) throws IOException {
    boolean leave;
    synchronized (this) {
      if (nowNanos < nextTransitionNanos) {
        return;
      }
      leave = online != null;
      nextTransitionNanos += variation.periodNanos(churn, !leave);
    }
    if (leave) {
      endPeriod();
    } else {
      comeOnline();
    }
  }

  private void comeOnline() throws IOException {
    ChorusNode node = ChorusNode.start(config);
    synchronized (this) {
      online = node;
      latest = node;
      periods++;
    }
  }

  /** Closes the node (it says goodbye to the tracker and its peers); its counters are kept. */
  private void endPeriod() {
    ChorusNode node;
    synchronized (this) {
      node = online;
      online = null;
    }
    if (node == null) {
      return;
    }
    node.close();
    synchronized (this) {
      past = plus(past, node.stats());
      latest = null;
    }
  }

  /** Closes the node for good at the end of the run; its counters stay readable. */
  @Override
  public void close() {
    endPeriod();
  }

  synchronized ChorusNode current() {
    return online;
  }

  synchronized boolean isCurrent(ChorusNode node) {
    return node != null && node == online;
  }

  /** Online periods so far (1 without churn). */
  synchronized int periods() {
    return periods;
  }

  /** The node's counters summed over its online periods (start latencies: the last period's). */
  NodeStats stats() {
    ChorusNode node;
    NodeStats before;
    synchronized (this) {
      node = latest;
      before = past;
    }
    return node == null ? before : plus(before, node.stats());
  }

  static NodeStats plus(NodeStats a, NodeStats b) {
    return new NodeStats(a.played().plus(b.played()), a.bytesFromPeers() + b.bytesFromPeers(),
        a.bytesFromCdn() + b.bytesFromCdn(), a.bytesUploaded() + b.bytesUploaded(), a.playbacks() + b.playbacks(),
        b.startLatencyP50Nanos(), b.startLatencyP90Nanos(), a.stutters() + b.stutters(),
        a.peersBanned() + b.peersBanned(), b.neighbours());
  }
}
