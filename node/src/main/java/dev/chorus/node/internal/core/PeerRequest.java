package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;

/** A run of chunks asked of one peer; chunks come back in index order. */
final class PeerRequest {
  final long id;
  final NodeId peer;
  final Download download;
  final int first;
  final int end;
  int next;
  final long sentAtNanos;
  long lastProgressNanos;
  long outstandingBytes;

  PeerRequest(long id, NodeId peer, Download download, int first, int count, long nowNanos) {
    this.id = id;
    this.peer = peer;
    this.download = download;
    this.first = first;
    this.end = first + count;
    this.next = first;
    this.sentAtNanos = nowNanos;
    this.lastProgressNanos = nowNanos;
    this.outstandingBytes = download.layout.runBytes(first, count);
  }
}
