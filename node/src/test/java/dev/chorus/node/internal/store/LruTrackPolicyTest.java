package dev.chorus.node.internal.store;

import static dev.chorus.node.internal.store.TrackCachePolicyContract.track;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.protocol.manifest.TrackId;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** The node's policy passes the shared contract, and also counts bytes that arrive chunk by chunk. */
class LruTrackPolicyTest extends TrackCachePolicyContract {
  @Override
  protected TrackCachePolicy newPolicy(ToLongFunction<TrackId> sizes) {
    return new LruTrackPolicy();
  }

  @Test
  void bytesArriveInPiecesAndMayBeReleasedWithoutChangingTheOrder() {
    LruTrackPolicy p = new LruTrackPolicy();
    p.addBytes(track(1), 10);
    p.addBytes(track(2), 10);
    p.addBytes(track(1), 90); // more chunks of track 1: not a use
    assertEquals(List.of(track(1), track(2)), p.tracksByAge());
    assertEquals(110, p.usedBytes());
    p.addBytes(track(1), -30); // a chunk deleted
    assertEquals(80, p.usedBytes());
    assertEquals(70, p.remove(track(1)));
  }
}
