package dev.chorus.node.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract every {@link ChunkStore} passes. */
abstract class ChunkStoreContract {
  /** Records listener events. */
  static final class Recorder implements ChunkStoreListener {
    final List<TrackId> evicted = new ArrayList<>();
    final List<Integer> corrupt = new ArrayList<>();
    final List<Exception> disabled = new ArrayList<>();

    @Override
    public synchronized void tracksEvicted(List<TrackId> trackIds) {
      evicted.addAll(trackIds);
    }

    @Override
    public synchronized void corruptChunkDeleted(TrackId trackId, int index) {
      corrupt.add(index);
    }

    @Override
    public synchronized void cachingDisabled(Exception cause) {
      disabled.add(cause);
    }
  }

  static final TestTracks.Track A = TestTracks.track(1, 40_000);          // 3 chunks, short last
  static final TestTracks.Track B = TestTracks.track(2, 5 * 16_384);      // 5 full chunks
  static final TestTracks.Track C = TestTracks.track(3, 100);             // 1 tiny chunk

  protected final Recorder listener = new Recorder();
  private final List<ChunkStore> opened = new ArrayList<>();

  /** A fresh, empty store of the given capacity (each call in a test may reopen the same one). */
  protected abstract AbstractChunkStore newStore(long capacityBytes) throws Exception;

  protected final AbstractChunkStore store(long capacityBytes) throws Exception {
    AbstractChunkStore s = newStore(capacityBytes);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    for (ChunkStore s : opened) {
      s.close();
    }
  }

  static void putAll(ChunkStore s, TestTracks.Track t) throws Exception {
    assertTrue(s.putManifest(t.manifest()));
    for (int i = 0; i < t.manifest().chunkCount(); i++) {
      assertTrue(s.putChunk(t.manifest().trackId(), i, t.chunk(i)));
    }
  }

  static long fullSize(TestTracks.Track t) {
    return t.manifest().encodedLength() + t.content().length;
  }

  @Test
  void roundTripsManifestsAndChunks() throws Exception {
    ChunkStore s = store(10_000_000);
    TrackId id = A.manifest().trackId();
    assertTrue(s.manifest(id).isEmpty());
    assertTrue(s.putManifest(A.manifest()));
    assertEquals(Optional.of(A.manifest()), s.manifest(id));
    assertFalse(s.has(id, 0));
    assertTrue(s.chunk(id, 0).isEmpty());
    assertTrue(s.putChunk(id, 2, A.chunk(2)));
    assertTrue(s.has(id, 2));
    assertArrayEquals(A.chunk(2), s.chunk(id, 2).orElseThrow());
    assertEquals(List.of(id), s.tracks());
    assertEquals(A.manifest().encodedLength() + A.chunk(2).length, s.usedBytes());
    assertTrue(s.putChunk(id, 2, A.chunk(2)), "storing a held chunk again is fine");
    assertEquals(A.manifest().encodedLength() + A.chunk(2).length, s.usedBytes());
    assertTrue(s.isCaching());
  }

  @Test
  void acceptsByteBuffers() throws Exception {
    ChunkStore s = store(10_000_000);
    s.putManifest(A.manifest());
    TrackId id = A.manifest().trackId();
    byte[] framed = new byte[A.chunk(1).length + 10];
    System.arraycopy(A.chunk(1), 0, framed, 5, A.chunk(1).length);
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(framed, 5, A.chunk(1).length);
    assertTrue(s.putChunk(id, 1, buf));
    assertEquals(5, buf.position());
    assertArrayEquals(A.chunk(1), s.chunk(id, 1).orElseThrow());
  }

  @Test
  void rejectsWrongBytes() throws Exception {
    ChunkStore s = store(10_000_000);
    s.putManifest(A.manifest());
    TrackId id = A.manifest().trackId();
    byte[] bad = A.chunk(0);
    bad[100] ^= 1;
    ManifestException e = assertThrows(ManifestException.class, () -> s.putChunk(id, 0, bad));
    assertEquals(ManifestException.Reason.WRONG_CHUNK, e.reason());
    assertFalse(s.has(id, 0));
    assertEquals(A.manifest().encodedLength(), s.usedBytes());
  }

  @Test
  void rejectsWrongLength() throws Exception {
    ChunkStore s = store(10_000_000);
    s.putManifest(A.manifest());
    TrackId id = A.manifest().trackId();
    ManifestException e = assertThrows(ManifestException.class, () -> s.putChunk(id, 2, A.chunk(1)));
    assertEquals(ManifestException.Reason.WRONG_CHUNK_LENGTH, e.reason());
  }

  @Test
  void rejectsIndexOutOfRange() throws Exception {
    ChunkStore s = store(10_000_000);
    s.putManifest(A.manifest());
    TrackId id = A.manifest().trackId();
    for (int index : new int[] {-1, 3, Integer.MAX_VALUE}) {
      ManifestException e = assertThrows(
          ManifestException.class, () -> s.putChunk(id, index, A.chunk(0)));
      assertEquals(ManifestException.Reason.CHUNK_INDEX_OUT_OF_RANGE, e.reason());
      assertFalse(s.has(id, index));
    }
  }

  @Test
  void refusesChunkWithoutManifest() throws Exception {
    ChunkStore s = store(10_000_000);
    TrackId id = A.manifest().trackId();
    NoManifestException e = assertThrows(NoManifestException.class, () -> s.putChunk(id, 0, A.chunk(0)));
    assertEquals(id, e.trackId());
    assertEquals(0, s.usedBytes());
  }

  @Test
  void corruptStoredChunkIsDeletedAndAbsent() throws Exception {
    AbstractChunkStore s = store(10_000_000);
    putAll(s, A);
    TrackId id = A.manifest().trackId();
    byte[] garbage = A.chunk(1);
    garbage[0] ^= (byte) 0xff;
    s.putUnverifiedForTest(id, 1, garbage);
    assertTrue(s.has(id, 1));
    assertTrue(s.chunk(id, 1).isEmpty());
    assertFalse(s.has(id, 1));
    assertEquals(List.of(1), listener.corrupt);
    assertEquals(fullSize(A) - A.chunk(1).length, s.usedBytes());
    assertArrayEquals(A.chunk(0), s.chunk(id, 0).orElseThrow());
  }

  @Test
  void holdingBitmapAndCompleteness() throws Exception {
    ChunkStore s = store(10_000_000);
    TrackId id = B.manifest().trackId();
    assertTrue(s.holding(id).isEmpty());
    s.putManifest(B.manifest());
    s.putChunk(id, 0, B.chunk(0));
    s.putChunk(id, 3, B.chunk(3));
    BitSet expected = new BitSet();
    expected.set(0);
    expected.set(3);
    assertEquals(expected, s.holding(id));
    s.holding(id).set(4);
    assertEquals(expected, s.holding(id), "holding returns a copy");
    assertFalse(s.isComplete(id));
    for (int i = 0; i < 5; i++) {
      s.putChunk(id, i, B.chunk(i));
    }
    assertTrue(s.isComplete(id));
    assertEquals(fullSize(B), s.usedBytes());
  }

  @Test
  void removeTrack() throws Exception {
    ChunkStore s = store(10_000_000);
    putAll(s, A);
    putAll(s, C);
    TrackId a = A.manifest().trackId();
    assertTrue(s.removeTrack(a));
    assertFalse(s.removeTrack(a));
    assertTrue(s.manifest(a).isEmpty());
    assertFalse(s.has(a, 0));
    assertTrue(s.chunk(a, 0).isEmpty());
    assertEquals(List.of(C.manifest().trackId()), s.tracks());
    assertEquals(fullSize(C), s.usedBytes());
    assertThrows(NoManifestException.class, () -> s.putChunk(a, 0, A.chunk(0)));
    assertTrue(listener.evicted.isEmpty(), "removal is not eviction");
  }

  @Test
  void evictsLeastRecentlyUsedWholeTracks() throws Exception {
    long capacity = fullSize(A) + fullSize(B) + fullSize(C) - 1;
    ChunkStore s = store(capacity);
    putAll(s, A);
    putAll(s, B);
    assertEquals(fullSize(A) + fullSize(B), s.usedBytes());
    putAll(s, C);
    TrackId a = A.manifest().trackId();
    TrackId b = B.manifest().trackId();
    TrackId c = C.manifest().trackId();
    assertEquals(List.of(a), listener.evicted);
    assertEquals(List.of(b, c), s.tracks());
    assertTrue(s.manifest(a).isEmpty());
    assertTrue(s.holding(a).isEmpty());
    assertTrue(s.usedBytes() <= capacity);
    assertEquals(fullSize(B) + fullSize(C), s.usedBytes());
  }

  @Test
  void touchChangesEvictionOrder() throws Exception {
    long capacity = fullSize(A) + fullSize(B) + fullSize(C) - 1;
    ChunkStore s = store(capacity);
    putAll(s, A);
    putAll(s, B);
    TrackId a = A.manifest().trackId();
    TrackId b = B.manifest().trackId();
    s.touch(a);
    assertEquals(List.of(b, a), s.tracks());
    putAll(s, C);
    assertEquals(List.of(b), listener.evicted);
    assertEquals(List.of(a, C.manifest().trackId()), s.tracks());
    s.touch(TestTracks.track(99, 10).manifest().trackId()); // unknown: ignored
  }

  @Test
  void neverEvictsTheTrackBeingWritten() throws Exception {
    ChunkStore s = store(fullSize(B));
    putAll(s, C);
    putAll(s, B); // its last chunk overflows: C goes, not B
    assertEquals(List.of(C.manifest().trackId()), listener.evicted);
    assertEquals(List.of(B.manifest().trackId()), s.tracks());
  }

  @Test
  void neverEvictsTheTrackBeingPlayed() throws Exception {
    ChunkStore s = store(fullSize(A) + fullSize(B));
    putAll(s, A);
    putAll(s, B);
    s.playing(A.manifest().trackId()); // the least recently used, but a player reads it
    putAll(s, C);
    assertEquals(List.of(B.manifest().trackId()), listener.evicted);
    s.playing(null);
    s.touch(C.manifest().trackId());
    putAll(s, B);
    assertEquals(List.of(B.manifest().trackId(), A.manifest().trackId()), listener.evicted);
  }

  @Test
  void aTrackThatCannotFitBesideThePlayingOneIsNotCachedAndEvictsNothing() throws Exception {
    ChunkStore s = store(fullSize(B) + fullSize(C) - 1);
    putAll(s, C);
    s.playing(C.manifest().trackId());
    assertFalse(s.putManifest(B.manifest()), "B and the playing C do not fit together");
    assertEquals(List.of(), listener.evicted);
    assertEquals(List.of(C.manifest().trackId()), s.tracks());
    s.playing(null);
    assertTrue(s.putManifest(B.manifest()), "alone, B fits");
  }

  @Test
  void closedStoreRefusesUse() throws Exception {
    ChunkStore s = store(10_000_000);
    s.close();
    s.close();
    assertThrows(IllegalStateException.class, () -> s.manifest(A.manifest().trackId()));
  }
}
