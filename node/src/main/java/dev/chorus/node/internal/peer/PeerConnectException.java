package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.wire.ErrorCode;

/**
 * Why {@link PeerNetwork#connect} failed. {@link #code()} is the protocol's reason: {@code BANNED}
 * (we banned that node, or it banned us), {@code AUTHENTICATION_FAILED} (the node at that address
 * does not hold the pinned key), {@code TOO_MANY_CONNECTIONS} (our limit or theirs), {@code
 * SHUTTING_DOWN}, a handshake error... or {@code NONE} when the network failed (refused, unreachable,
 * timed out; the cause says which).
 */
public final class PeerConnectException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient NodeId nodeId;
  private final ErrorCode code;

  PeerConnectException(NodeId nodeId, ErrorCode code, String message, Throwable cause) {
    super("connecting to node " + nodeId + ": " + message, cause);
    this.nodeId = nodeId;
    this.code = code;
  }

  /** The node we tried to reach. */
  public NodeId nodeId() {
    return nodeId;
  }

  /** The protocol reason, or {@code NONE} for a network failure. */
  public ErrorCode code() {
    return code;
  }
}
