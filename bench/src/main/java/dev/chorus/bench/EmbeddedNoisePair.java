package dev.chorus.bench;

import dev.chorus.protocol.netty.NoiseHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

/** Two {@link EmbeddedChannel}s with a {@link NoiseHandler} each, wired back to back by hand. */
public final class EmbeddedNoisePair {

  private EmbeddedNoisePair() {}

  /** Moves bytes both ways until neither side writes more; fails if the handshake did not end. */
  public static void handshake(EmbeddedChannel a, EmbeddedChannel b) {
    boolean moved;
    do {
      moved = transfer(a, b) | transfer(b, a);
    } while (moved);
    if (!NoiseHandler.of(a).isEstablished() || !NoiseHandler.of(b).isEstablished()) {
      throw new IllegalStateException("handshake did not complete");
    }
  }

  /** Hands everything {@code from} wrote to {@code to}; whether there was anything. */
  public static boolean transfer(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    ByteBuf buf;
    while ((buf = from.readOutbound()) != null) {
      moved = true;
      to.writeInbound(buf);
    }
    return moved;
  }
}
