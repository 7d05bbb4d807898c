package dev.chorus.simulator.swarm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Events handled by a run, by what they did: the engine counts only its eight event types, and a
 * run's cost follows the finer kinds (which message, which parked action, a timer that fired or
 * one that was superseded). An increment per event; it changes no result (bench/README.md,
 * "sim", has the census of the benchmark's runs).
 */
public final class EventCensus {
  // Timers and the world's own events.
  static final int CHURN = 0;
  static final int SESSION = 1;
  static final int SESSION_STALE = 2;
  static final int PLAYBACK = 3;
  static final int PLAYBACK_STALE = 4;
  static final int TICK = 5;
  static final int TICK_STALE = 6;
  static final int FLOWS_DONE = 7;
  static final int NETWORK_STALE = 8;
  static final int SAMPLE = 9;
  // Messages between peers (Messages), by kind; a query by the hops it has left.
  static final int MSG_REQUEST = 10;
  static final int MSG_CANCEL = 11;
  static final int MSG_MISSING = 12;
  static final int MSG_QUERY_TO_FORWARD = 13;
  static final int MSG_QUERY_LAST_HOP = 14;
  static final int MSG_ANSWER = 15;
  static final int MSG_CHUNKS = 16;
  static final int MSG_HAVE = 17;
  static final int MSG_LOST = 18;
  // Parked actions (World.park), by what they do.
  static final int CRASH = 19;
  static final int SLOW_SPELL = 20;
  static final int MANIFEST = 21;
  static final int TRACKS_DROPPED = 22;
  static final int LOOKUP_AT_TRACKER = 23;
  static final int LOOKUP_ANSWER = 24;
  static final int CONNECT_AT_PEER = 25;
  static final int CONNECT_OUTCOME = 26;
  static final int CONNECT_FAILED = 27;
  static final int DISCONNECTED = 28;
  static final int UPLOAD_DONE = 29;
  static final int SLOW_START = 30;
  static final int CDN_REQUEST = 31;
  static final int SLOW_STALL = 32;
  static final int CDN_CHUNKS = 33;
  static final int ANNOUNCE = 34;
  static final int WITHDRAW = 35;
  static final int PLAYBACK_EARLY = 36;
  static final int KINDS = 37;

  private static final String[] NAMES = {
      "churn", "session", "session_stale", "playback", "playback_stale", "tick", "tick_stale",
      "flows_done", "network_timer_stale", "sample",
      "msg_request", "msg_cancel", "msg_missing", "msg_query_to_forward", "msg_query_last_hop",
      "msg_answer", "msg_chunks", "msg_have", "msg_lost_connection_closed",
      "crash", "slow_spell", "manifest", "tracks_dropped", "lookup_at_tracker", "lookup_answer",
      "connect_at_peer", "connect_outcome", "connect_failed", "disconnected", "upload_done",
      "slow_start_wait", "cdn_request", "slow_peer_stall", "cdn_chunks", "announce", "withdraw",
      "playback_early"};

  private final long[] counts = new long[KINDS];

  /** The census kind of a delivered message of {@link Messages}' {@code kind}. */
  static int message(int kind, int small) {
    return switch (kind) {
      case Messages.REQUEST -> MSG_REQUEST;
      case Messages.CANCEL -> MSG_CANCEL;
      case Messages.MISSING -> MSG_MISSING;
      case Messages.QUERY -> small > 1 ? MSG_QUERY_TO_FORWARD : MSG_QUERY_LAST_HOP;
      case Messages.ANSWER -> MSG_ANSWER;
      case Messages.CHUNKS -> MSG_CHUNKS;
      case Messages.HAVE -> MSG_HAVE;
      default -> throw new IllegalStateException("unknown message kind " + kind);
    };
  }

  void count(int kind) {
    counts[kind]++;
  }

  /** Events handled, by kind, in a fixed order (kinds never seen included, as 0). */
  public Map<String, Long> counts() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < KINDS; i++) {
      m.put(NAMES[i], counts[i]);
    }
    return m;
  }

  /** All events counted. */
  public long total() {
    long sum = 0;
    for (long c : counts) {
      sum += c;
    }
    return sum;
  }
}
