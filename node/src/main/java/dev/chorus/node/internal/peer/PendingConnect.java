package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.wire.ErrorCode;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;

/**
 * A connect in progress to one identity; shared by every caller of {@link PeerNetwork#connect}
 * for it. Guarded by {@link LinkRegistry}'s lock.
 */
final class PendingConnect {
  final NodeId id;
  final CompletableFuture<PeerLink> future = new CompletableFuture<>();
  /** Our own connection is on its way. */
  boolean dialing;
  /** Our connection lost a simultaneous connect; the peer's should come. */
  boolean awaitingOther;
  PeerConnectException failure;

  PendingConnect(NodeId id) {
    this.id = id;
  }

  /**
   * Why the connection {@code ch} to {@code id} ended before it became a link: the Goodbye or
   * local close reason if there is one (naming the pinned key when someone else answered), else
   * the error that ended it.
   */
  static PeerConnectException failureOf(NodeId id, Channel ch, PeerChannelHandler handler, Throwable connectFailure) {
    CloseReason reason = ch.attr(ProtocolErrorHandler.CLOSE_REASON).get();
    Throwable error = connectFailure != null ? connectFailure : handler.firstError;
    if (reason != null) {
      String detail = reason.code() == ErrorCode.AUTHENTICATION_FAILED
          ? "the node at " + ch.remoteAddress() + " does not hold the pinned key (" + reason.detail() + ")"
          : reason.isLocal() ? reason.detail() : "refused by the node: " + reason.code() + " " + reason.detail();
      return new PeerConnectException(id, reason.code(), detail, error);
    }
    if (error instanceof ProtocolException) {
      return new PeerConnectException(id, ((ProtocolException) error).code(), error.getMessage(), error);
    }
    if (error != null) {
      return new PeerConnectException(id, ErrorCode.NONE, String.valueOf(error), error);
    }
    return new PeerConnectException(id, ErrorCode.NONE, "the connection ended before the hello", null);
  }
}
