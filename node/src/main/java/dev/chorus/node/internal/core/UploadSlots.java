package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Upload slots: at most {@code slots} peers are served at once; a peer holding a slot has its
 * further requests served in turn in the same slot; other peers wait, highest priority first and
 * then in arrival order, in a bounded queue. When the queue is full, a newcomer displaces the
 * lowest-priority waiter if it outranks it, else it is refused. A slot is freed when its peer has
 * nothing left to be served.
 */
final class UploadSlots {
  /** One request from a peer. */
  record Upload(NodeId peer, long requestId, TrackId trackId, int first, int count, int priority, long seq) {}

  /**
   * What a call led to: requests to start serving now, requests refused, and whether the request
   * cancelled was being served. One instance, refilled by every call (no allocation per request):
   * read it before the next call.
   */
  static final class Outcome {
    private final List<Upload> serve = new ArrayList<>();
    private final List<Upload> refuse = new ArrayList<>();
    private boolean cancelledWasServing;

    List<Upload> serve() {
      return serve;
    }

    List<Upload> refuse() {
      return refuse;
    }

    /** For {@link #cancel}: whether the request was being served (the caller stops it). */
    boolean cancelledWasServing() {
      return cancelledWasServing;
    }

    private Outcome reset() {
      serve.clear();
      refuse.clear();
      cancelledWasServing = false;
      return this;
    }
  }

  private static final Comparator<Upload> WAITING_ORDER =
      Comparator.comparingInt((Upload u) -> -u.priority).thenComparingLong(u -> u.seq);

  private final int slots;
  private final int queueLimit;
  private final Map<NodeId, ArrayDeque<Upload>> active = new HashMap<>();
  private final TreeSet<Upload> waiting = new TreeSet<>(WAITING_ORDER);
  private long seq;
  private final Outcome outcome = new Outcome();

  UploadSlots(int slots, int queueLimit) {
    this.slots = slots;
    this.queueLimit = queueLimit;
  }

  Outcome offer(NodeId peer, long requestId, TrackId trackId, int first, int count, int priority) {
    Upload u = new Upload(peer, requestId, trackId, first, count, priority, seq++);
    Outcome out = outcome.reset();
    ArrayDeque<Upload> queue = active.get(peer);
    if (queue != null) {
      if (queue.size() > queueLimit) {
        out.refuse.add(u);
        return out;
      }
      queue.addLast(u);
      if (queue.size() == 1) {
        out.serve.add(u);
      }
      return out;
    }
    if (active.size() < slots) {
      ArrayDeque<Upload> q = new ArrayDeque<>();
      q.add(u);
      active.put(peer, q);
      out.serve.add(u);
      return out;
    }
    waiting.add(u);
    if (waiting.size() > queueLimit) {
      out.refuse.add(waiting.pollLast());
    }
    return out;
  }

  /** The request being served finished: serve the next one of that peer, or free its slot. */
  Outcome done(NodeId peer, long requestId) {
    ArrayDeque<Upload> queue = active.get(peer);
    Outcome out = outcome.reset();
    if (queue == null || queue.isEmpty() || queue.peekFirst().requestId != requestId) {
      return out;
    }
    queue.pollFirst();
    advance(peer, queue, out);
    return out;
  }

  /**
   * A peer cancelled a request. Returns whether it was being served (the caller stops it) and the
   * requests that start as a consequence.
   */
  Outcome cancel(NodeId peer, long requestId) {
    Outcome out = outcome.reset();
    ArrayDeque<Upload> queue = active.get(peer);
    if (queue != null) {
      Upload head = queue.peekFirst();
      if (head != null && head.requestId == requestId) {
        out.cancelledWasServing = true;
        queue.pollFirst();
        advance(peer, queue, out);
        return out;
      }
      queue.removeIf(u -> u.requestId == requestId);
      return out;
    }
    waiting.removeIf(u -> u.peer.equals(peer) && u.requestId == requestId);
    return out;
  }

  /** A peer left: drop all its requests; others may start. */
  Outcome removePeer(NodeId peer) {
    Outcome out = outcome.reset();
    waiting.removeIf(u -> u.peer.equals(peer));
    ArrayDeque<Upload> queue = active.remove(peer);
    if (queue != null) {
      fill(out);
    }
    return out;
  }

  int activePeers() {
    return active.size();
  }

  int waitingRequests() {
    return waiting.size();
  }

  boolean isServing(NodeId peer) {
    return active.containsKey(peer);
  }

  private void advance(NodeId peer, ArrayDeque<Upload> queue, Outcome out) {
    if (!queue.isEmpty()) {
      out.serve.add(queue.peekFirst());
      return;
    }
    active.remove(peer);
    fill(out);
  }

  /** Grants free slots to the best waiters, pulling each one's other waiting requests along. */
  private void fill(Outcome out) {
    while (active.size() < slots && !waiting.isEmpty()) {
      Upload next = waiting.pollFirst();
      ArrayDeque<Upload> q = new ArrayDeque<>();
      q.add(next);
      for (Iterator<Upload> it = waiting.iterator(); it.hasNext(); ) {
        Upload u = it.next();
        if (u.peer.equals(next.peer)) {
          q.add(u);
          it.remove();
        }
      }
      active.put(next.peer, q);
      out.serve.add(next);
    }
  }
}
