package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.wire.ErrorCode;
import java.net.InetSocketAddress;

/**
 * Events of a {@link TrackerClient}, for metrics and logs. Called on the client's event loop
 * thread (except {@link #lookupFailed} for a lookup refused at once, which comes on the caller's):
 * implementations must be quick, thread-safe and must not throw. Every method is a no-op by
 * default.
 */
public interface TrackerClientListener {
  /** Does nothing. */
  TrackerClientListener NOOP = new TrackerClientListener() {};

  /** The tracker said hello (the handshake proved its pinned key) and the full announce went out. */
  default void connected(InetSocketAddress tracker) {}

  /**
   * A connection attempt ended before the tracker said hello: {@code reason} is the protocol code
   * (e.g. {@code AUTHENTICATION_FAILED} for a key that is not the pinned one, {@code BANNED}), or
   * {@code NONE} when the TCP connection itself could not be made.
   *
   * @param retryInMillis when the next attempt starts, -1 if the client is closed
   */
  default void connectFailed(ErrorCode reason, long retryInMillis) {}

  /**
   * A connection that had said hello ended: {@code reason} is the goodbye's code (or the local
   * error's), {@code NONE} for an ordinary close or a connection that just dropped.
   *
   * @param retryInMillis when the next attempt starts, -1 if the client is closed
   */
  default void disconnected(ErrorCode reason, long retryInMillis) {}

  /** An announce went out: the whole cache ({@code full}, however many messages) or a delta. */
  default void announceSent(int tracks, boolean full) {}

  /** A withdraw went out. */
  default void withdrawSent(int tracks) {}

  /** A lookup was answered with {@code peers} usable peers after {@code latencyNanos}. */
  default void lookupAnswered(int peers, long latencyNanos) {}

  /** A lookup failed (refused, timed out, disconnected, not connected, over the local rate limit). */
  default void lookupFailed(TrackerException.Reason reason, ErrorCode code) {}

  /**
   * The tracker refused an announce or withdraw: {@code RATE_LIMITED} (a full re-announce follows
   * after the maximum backoff) or {@code LIMIT_EXCEEDED} (part of an announce not indexed, at one
   * of the tracker's bounds; offered again with the next regular full announce, not sooner).
   */
  default void requestRefused(ErrorCode code, String detail) {}

  /**
   * The tracker refused a playback report: {@code carriedOver} when its figures go out again with
   * the next report ({@code RATE_LIMITED}: the tracker did not read it), false when they are
   * dropped (e.g. {@code BAD_REQUEST}: figures the tracker found implausible).
   */
  default void playbackReportRefused(ErrorCode code, boolean carriedOver) {}

  /**
   * The tracker said whether its dial-back reached this node at its listen port: {@code
   * reachable} false only for {@code VERDICT_UNREACHABLE} (not probed or unknown: the port is
   * trusted).
   */
  default void reachabilityReported(boolean reachable) {}
}
