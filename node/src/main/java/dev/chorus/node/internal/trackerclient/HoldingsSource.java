package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.VivaldiCoordinate;
import java.util.Collection;

/**
 * What the tracker client announces: the node's whole cache and its network coordinate. Called on
 * the client's event loop thread, so implementations must be thread-safe, quick and non-blocking
 * (the chunk store answers from its in-memory bitmaps).
 */
public interface HoldingsSource {
  /**
   * Everything the node holds now. Taken on every (re)connect and every periodic refresh; a track
   * listed twice is announced twice (the tracker keeps the last).
   */
  Collection<Holding> snapshot();

  /** The node's current Vivaldi coordinate; sent in the Hello and in every announce. */
  default VivaldiCoordinate coordinate() {
    return VivaldiCoordinate.ORIGIN;
  }
}
