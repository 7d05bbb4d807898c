package dev.chorus.simulator.swarm;

/**
 * One peer request being served, or one CDN read: the chunks to send, in order, sent as flows of
 * 1, 1, 2, 4, ... chunks, so that a chunk arrives at most about twice as late as a byte stream
 * (what TCP gives a reader) would deliver it, rather than at the end of the whole run, for
 * log2(run length) flows per request.
 */
final class Transfer {
  final boolean cdn;
  final SimPeer client;
  /** Null for a CDN read. */
  final SimPeer server;
  /** The client's request id (peer) or fetch id (CDN). */
  final long id;
  final int track;
  final int first;
  final int end;
  /** The chunks to send, ascending; the rest of [first, end) is missing at the server. */
  final int[] chunks;
  int sent;
  long flowId = -1;
  int segmentChunks;
  boolean cancelled;

  Transfer(boolean cdn, SimPeer client, SimPeer server, long id, int track, int first, int end,
      int[] chunks) {
    this.cdn = cdn;
    this.client = client;
    this.server = server;
    this.id = id;
    this.track = track;
    this.first = first;
    this.end = end;
    this.chunks = chunks;
  }

  /** The key of a served request in its server's table: the client and its request id. */
  static long servingKey(int clientHost, long requestId) {
    return ((long) clientHost << 40) ^ requestId;
  }
}
