package dev.chorus.node.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.SwarmConfig;
import dev.chorus.protocol.manifest.TrackId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The start and stall rule with a fake clock (times are plain numbers passed in). */
class StartPolicyTest {
  private static final long SECOND = 1_000_000_000L;
  private static final int CHUNK = 16_384;
  /** 100 s at 20,000 bytes/s (160 kbit/s): 2,000,000 bytes. */
  private static final TrackLayout TRACK = TrackLayout.of(TrackId.fromBytes(new byte[32]), 2_000_000, CHUNK, 100 * SECOND);
  /** Minimum buffer 1 s (20,000 bytes), margin 25%, rate over the last 5 s. */
  private final StartPolicy policy = new StartPolicy(SECOND, 25, 5 * SECOND);

  @Test
  void aCachedTrackIsReadyAtOnceWithNoRateMeasured() {
    StartPolicy.Play play = policy.begin(TRACK, TRACK.sizeBytes(), 0);
    assertTrue(play.ready(0, 0, TRACK.sizeBytes()));
  }

  @Test
  void nothingBufferedIsNeverReadyHoweverFastTheRate() {
    assertFalse(policy.ready(TRACK, 0, 0, 1e12));
  }

  @Test
  void aFastDownloadStartsOnceTheMinimumBufferIsHeld() {
    // 20,000 bytes is the minimum buffer: one chunk (16,384) is not enough, two are.
    assertFalse(policy.ready(TRACK, 0, CHUNK, 10_000_000));
    assertTrue(policy.ready(TRACK, 0, 2L * CHUNK, 10_000_000));
  }

  @Test
  void aSlowDownloadWaitsUntilBufferPlusDeliverableCoversTheRest() {
    // Rate 10,000 B/s, half the bitrate; 75% counted: 7,500 B/s over the 100 s left = 750,000 B.
    // Ready when b + 750,000 ≥ 2,000,000, that is b ≥ 1,250,000.
    assertFalse(policy.ready(TRACK, 0, 1_249_999, 10_000));
    assertTrue(policy.ready(TRACK, 0, 1_250_000, 10_000));
  }

  @Test
  void theRuleLooksFromThePlayheadNotFromTheStart() {
    // At 1,000,000 (50 s left) with the same rate: 375,000 deliverable, so 625,000 buffered needed.
    assertFalse(policy.ready(TRACK, 1_000_000, 1_624_999, 10_000));
    assertTrue(policy.ready(TRACK, 1_000_000, 1_625_000, 10_000));
  }

  @Test
  void nearTheEndTheRestOfTheTrackIsEnough() {
    long playhead = TRACK.sizeBytes() - 5_000; // less than the minimum buffer left
    assertFalse(policy.ready(TRACK, playhead, playhead + 4_999, 0));
    assertTrue(policy.ready(TRACK, playhead, TRACK.sizeBytes(), 0));
    assertTrue(policy.ready(TRACK, TRACK.sizeBytes(), TRACK.sizeBytes(), 0));
  }

  @Test
  void theRateIsWhatArrivedInTheWindowOverItsLength() {
    StartPolicy.Play play = policy.begin(TRACK, 0, 0);
    assertEquals(0, play.bytesPerSecond(0));
    play.observe(SECOND, 100_000);
    assertEquals(100_000, play.bytesPerSecond(SECOND), 1e-6);
    play.observe(2 * SECOND, 300_000);
    assertEquals(150_000, play.bytesPerSecond(2 * SECOND), 1e-6);
    // Nothing more arrives: at 10 s the window is [5 s, 10 s] and nothing came in it.
    assertEquals(300_000 / 3.0, play.bytesPerSecond(3 * SECOND), 1e-6);
    assertEquals(0, play.bytesPerSecond(10 * SECOND), 1e-6);
    // Arrivals at 11 s: the window [6 s, 11 s] counts them from what was held at 6 s.
    play.observe(11 * SECOND, 400_000);
    assertEquals(100_000 / 5.0, play.bytesPerSecond(11 * SECOND), 1e-6);
  }

  @Test
  void theFirstRoundTripCountsAgainstTheRate() {
    StartPolicy.Play play = policy.begin(TRACK, 0, 0);
    // 2 chunks 100 ms after the play began: 327,680 B/s, though they may have come faster.
    play.observe(SECOND / 10, 2L * CHUNK);
    assertEquals(327_680, play.bytesPerSecond(SECOND / 10), 1e-6);
    assertTrue(play.ready(SECOND / 10, 0, 2L * CHUNK));
  }

  @Test
  void aStalledPlayResumesWhenTheSameConditionHoldsAgainWithTheRateMeasuredThen() {
    StartPolicy.Play play = policy.begin(TRACK, 0, 0);
    long held = 0;
    // Fast at first: 200,000 B/s for 2 s; started early.
    for (int t = 1; t <= 20; t++) {
      held += 20_000;
      play.observe(t * SECOND / 10, held);
    }
    assertTrue(play.ready(2 * SECOND, 0, held));
    // Then the source slows to 5,000 B/s, and the playhead (20,000 B/s) reaches the end of the
    // buffer at 400,000 at about 20 s.
    long now = 2 * SECOND;
    while (now < 20 * SECOND) {
      now += SECOND;
      held += 5_000;
      play.observe(now, held);
    }
    long playhead = held;
    assertEquals(5_000, play.bytesPerSecond(now), 1e-6);
    // Left: 2,000,000 - 490,000 = 1,510,000 bytes, 75.5 s; deliverable 0.75 × 5,000 × 75.5 =
    // 283,125; so it waits until b ≥ 1,226,875 — not after the next chunk.
    assertFalse(play.ready(now, playhead, held + 20_000));
    assertFalse(play.ready(now, playhead, playhead + 1_226_874));
    assertTrue(play.ready(now, playhead, playhead + 1_226_875));
  }

  @Test
  void theSwarmConfigCarriesTheParametersAndChecksThem() {
    SwarmConfig c = SwarmConfig.builder().startBuffer(Duration.ofMillis(500)).startRateMarginPercent(10)
        .startRateWindow(Duration.ofSeconds(3)).build();
    assertEquals(500_000_000L, c.startBufferNanos());
    assertEquals(10, c.startRateMarginPercent());
    assertEquals(3 * SECOND, c.startRateWindowNanos());
    StartPolicy p = StartPolicy.of(c);
    // 0.5 s = 10,000 bytes of minimum buffer; 90% of the rate counted.
    assertTrue(p.ready(TRACK, 0, 10_000, 1e9));
    assertFalse(p.ready(TRACK, 0, 1_099_999, 10_000));
    assertTrue(p.ready(TRACK, 0, 1_100_000, 10_000));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SwarmConfig.builder().startRateMarginPercent(100).build());
    assertTrue(e.getMessage().contains("swarm.startRateMarginPercent"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new StartPolicy(-1, 25, SECOND));
    assertThrows(IllegalArgumentException.class, () -> new StartPolicy(0, 25, 0));
  }

  @Test
  void manySamplesInTheWindowAreKeptAndOldOnesForgotten() {
    StartPolicy.Play play = policy.begin(TRACK, 0, 0);
    for (int i = 1; i <= 1_000; i++) {
      play.observe(i * SECOND / 100, (long) i * 1_000); // 100,000 B/s for 10 s
    }
    assertEquals(100_000, play.bytesPerSecond(10 * SECOND), 1e-6);
  }
}
