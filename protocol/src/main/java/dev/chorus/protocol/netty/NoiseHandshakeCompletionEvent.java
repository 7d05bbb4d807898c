package dev.chorus.protocol.netty;

import dev.chorus.protocol.PeerIdentity;

/**
 * Fired through the pipeline once the Noise handshake has succeeded: from here on every byte is
 * encrypted, and {@link #remote()} is the authenticated identity of the other end.
 */
public final class NoiseHandshakeCompletionEvent {
  private final PeerIdentity remote;
  private final String protocolName;

  NoiseHandshakeCompletionEvent(PeerIdentity remote, String protocolName) {
    this.remote = remote;
    this.protocolName = protocolName;
  }

  public PeerIdentity remote() {
    return remote;
  }

  public String protocolName() {
    return protocolName;
  }

  @Override
  public String toString() {
    return "NoiseHandshakeCompletionEvent[" + remote + ", " + protocolName + "]";
  }
}
