package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The byte invariant against fed figures: the attribution must match the playheads' own count. */
class MetricsInvariantTest {
  private static final long WARMUP = 1_000;

  private static Metrics metrics() {
    Metrics m = new Metrics(2, WARMUP, 10_000);
    m.networkBytes(0, 0, false, 1_000_000);
    m.networkBytes(0, -1, true, 1_000_000);
    return m;
  }

  @Test
  void attributedBytesEqualToThePlayheadsDistanceHold() {
    Metrics m = metrics();
    m.playheadMoved(2_000, 30_000);
    m.playedChunk(2_000, 16_384, Metrics.PEER);
    m.playedChunk(2_000, 13_616, Metrics.CDN);
    assertNull(m.invariantViolation());
  }

  @Test
  void bytesAttributedTwiceAreCaught() {
    Metrics m = metrics();
    m.playheadMoved(2_000, 16_384);
    m.playedChunk(2_000, 16_384, Metrics.PEER);
    m.playedChunk(2_000, 16_384, Metrics.CACHE); // the same bytes again, from another source
    String v = m.invariantViolation();
    assertNotNull(v);
    assertTrue(v.contains("playheads moved over (16384"), v);
  }

  @Test
  void playedBytesNobodyAttributedAreCaught() {
    Metrics m = metrics();
    m.playheadMoved(2_000, 20_000);
    m.playedChunk(2_000, 16_384, Metrics.PEER); // 3,616 bytes the attribution missed
    assertNotNull(m.invariantViolation());
  }

  @Test
  void morePlayedFromPeersThanTheyCarriedIsCaught() {
    Metrics m = metrics();
    m.playheadMoved(2_000, 2_000_000);
    m.playedChunk(2_000, 2_000_000, Metrics.PEER);
    String v = m.invariantViolation();
    assertNotNull(v);
    assertTrue(v.contains("exceed the bytes the network carried"), v);
  }
}
