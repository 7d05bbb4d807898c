package dev.chorus.node.internal.trackerclient;

/** Where the tracker client reads the node's playback counters; called on the client's event loop. */
@FunctionalInterface
public interface PlaybackSource {
  /** The counters now; must be quick and thread-safe. */
  PlaybackTotals totals();
}
