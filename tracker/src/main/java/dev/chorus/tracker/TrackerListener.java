package dev.chorus.tracker;

import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.tracker.index.AnnounceResult;

/**
 * What a tracker reports about its work, for metrics and logs. Called from event-loop threads, so
 * implementations must be thread-safe and quick. Every method has a no-op default; {@link #NOOP}
 * ignores everything. The Micrometer adapter is {@code dev.chorus.tracker.metrics.MicrometerTrackerListener}.
 */
public interface TrackerListener {
  TrackerListener NOOP = new TrackerListener() {};

  /** How a request ended. */
  enum Outcome {
    /** Served. */
    OK,
    /** Refused by the per-connection rate limit. */
    RATE_LIMITED,
    /** Refused as invalid (bad track id, oversized announce...). */
    INVALID,
    /** The index failed (e.g. Redis unreachable). */
    ERROR
  }

  /** A peer completed the handshake and was admitted. */
  default void connectionOpened() {}

  /** A connection ended, with the reason ({@code NONE} for an ordinary close). */
  default void connectionClosed(ErrorCode reason, boolean closedByTracker) {}

  default void announceHandled(Outcome outcome, int tracks) {}

  default void withdrawHandled(Outcome outcome, int tracks) {}

  /** A lookup was answered with {@code peersReturned} peers after {@code latencyNanos}. */
  default void lookupHandled(Outcome outcome, int peersReturned, long latencyNanos) {}

  /** A connection or request was refused with {@code code} (rate limit, cap, ban...). */
  default void rejected(ErrorCode code) {}

  /** {@code count} holdings of one announce were not indexed, for {@code reason}. */
  default void holdingsRefused(AnnounceResult.Refusal reason, int count) {}

  /**
   * A node's playback report passed its checks. {@code region} is the bounded label of the region
   * the node announced ({@link TrackerConfig#telemetryRegionLabel}).
   */
  default void playbackReported(String region, PlaybackReports.Figures figures) {}

  /** A playback report was dropped: {@code RATE_LIMITED} or {@code INVALID}. */
  default void playbackReportRefused(Outcome outcome) {}

  /**
   * A node's reachability was decided after its {@code Hello}: {@code verdict} is the wire verdict's
   * label ({@code reachable}, {@code unreachable}, {@code not_probed}, {@code unknown}).
   */
  default void reachabilityDecided(String verdict) {}

  /**
   * A {@code ReverseConnect} ended: {@code relayed} (the holder was told), {@code holder_gone},
   * {@code rate_limited} (the requester's or the holder's budget), {@code refused} (the requester
   * is not reachable, or the holder takes no part in traversal).
   */
  default void reversalHandled(String outcome) {}

  /**
   * A {@code PunchRequest} ended: {@code relayed} (both sides were told), {@code holder_gone},
   * {@code rate_limited} (the asker's or the holder's budget), or {@code refused} (one side cannot
   * punch).
   */
  default void punchHandled(String outcome) {}

  /** An IP was banned after repeated violations. */
  default void banned() {}

  default void bytesReceived(long bytes) {}

  default void bytesSent(long bytes) {}
}
