package dev.chorus.node.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.TrackId;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link TrackCachePolicy} rule, run against every implementation: the node's
 * {@link LruTrackPolicy} and the simulator's compact peer caches (from the node's test jar). Tracks
 * enter whole, with the sizes {@link #size} gives, since that is all the simulator models.
 */
public abstract class TrackCachePolicyContract {
  /** A fresh, empty policy; {@code sizes} gives each track's whole size in bytes. */
  protected abstract TrackCachePolicy newPolicy(ToLongFunction<TrackId> sizes);

  /** Tracks 1..9; track n has n × 100 bytes. */
  public static TrackId track(int n) {
    byte[] b = new byte[TrackId.BYTES];
    b[0] = (byte) n;
    b[1] = 0x5a;
    return TrackId.fromBytes(b);
  }

  public static long size(TrackId t) {
    return (t.bytes()[0] & 0xff) * 100L;
  }

  private TrackCachePolicy p;

  @BeforeEach
  void fresh() {
    p = newPolicy(TrackCachePolicyContract::size);
  }

  private void add(int... tracks) {
    for (int n : tracks) {
      p.addBytes(track(n), size(track(n)));
    }
  }

  @Test
  public void anEmptyPolicyHoldsNothingAndCannotTouch() {
    assertFalse(p.holds(track(1)));
    assertFalse(p.touch(track(1)));
    assertFalse(p.holds(track(1)), "a touch does not admit a track");
    assertEquals(0, p.usedBytes());
    assertEquals(List.of(), p.tracksByAge());
    assertEquals(List.of(), p.evictionsFor(0, null, null));
  }

  @Test
  public void tracksEnterAsMostRecentlyUsedAndTouchMovesThemToTheFront() {
    add(1, 2, 3);
    assertEquals(List.of(track(1), track(2), track(3)), p.tracksByAge());
    assertEquals(600, p.usedBytes());
    assertTrue(p.touch(track(1)));
    assertEquals(List.of(track(2), track(3), track(1)), p.tracksByAge());
    assertEquals(600, p.usedBytes(), "a touch changes the order, not the bytes");
    assertTrue(p.holds(track(2)));
    assertEquals(List.of(track(2), track(3), track(1)), p.tracksByAge(), "holds is not a use");
  }

  @Test
  public void evictionTakesTheLeastRecentlyUsedFirstUntilWhatIsHeldFits() {
    add(1, 2, 3, 4); // 1,000 bytes
    assertEquals(List.of(), p.evictionsFor(1_000, null, null));
    assertEquals(List.of(track(1)), p.evictionsFor(999, null, null));
    assertEquals(List.of(track(1), track(2), track(3)), p.evictionsFor(400, null, null));
    p.touch(track(1));
    assertEquals(List.of(track(2), track(3)), p.evictionsFor(500, null, null));
    assertEquals(1_000, p.usedBytes(), "evictionsFor removes nothing");
    assertEquals(4, p.tracksByAge().size());
  }

  @Test
  public void evictionSparesTheTrackBeingWrittenAndTheTrackBeingPlayed() {
    add(1, 2, 3, 4);
    assertEquals(List.of(track(3), track(4)), p.evictionsFor(300, track(1), track(2)));
    assertEquals(List.of(track(1), track(2), track(4)), p.evictionsFor(300, track(3), null));
    assertEquals(List.of(track(2), track(3), track(4)), p.evictionsFor(0, track(1), track(1)),
        "everything else goes when only the spared track may stay");
  }

  @Test
  public void aTrackIsAdmittedOnlyIfItFitsBesideThePlayingTrack() {
    add(3);
    assertTrue(p.fits(track(5), 500, 800, track(3)));
    assertFalse(p.fits(track(5), 500, 799, track(3)));
    assertTrue(p.fits(track(5), 500, 500, null));
    assertTrue(p.fits(track(5), 500, 500, track(7)), "a playing track not held takes no room");
    assertTrue(p.fits(track(3), 300, 300, track(3)), "the playing track is not counted twice");
    assertFalse(p.fits(track(9), 900, 899, null));
  }

  @Test
  public void removeForgetsATrackAndReturnsItsBytes() {
    add(1, 2);
    assertEquals(100, p.remove(track(1)));
    assertEquals(0, p.remove(track(1)));
    assertFalse(p.holds(track(1)));
    assertEquals(200, p.usedBytes());
    assertEquals(List.of(track(2)), p.tracksByAge());
    add(1);
    assertEquals(List.of(track(2), track(1)), p.tracksByAge(), "a removed track comes back as new");
  }
}
