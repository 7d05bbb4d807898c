package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.core.Source;
import dev.chorus.protocol.manifest.TrackId;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlayedBytesLedgerTest {
  static final int CHUNK = 1000;
  static final TrackId A = track(1);
  static final TrackId B = track(2);

  final PlayedBytesLedger ledger = new PlayedBytesLedger();

  static TrackId track(int n) {
    byte[] id = new byte[32];
    id[0] = (byte) n;
    return TrackId.fromBytes(id);
  }

  /** Reads chunk {@code index} of a play whole, as a stream hands it out in two reads. */
  static void readChunk(PlayedBytesLedger.Play play, int index) {
    long start = (long) index * CHUNK;
    play.delivered(index, start, start + 400);
    play.delivered(index, start + 400, start + CHUNK);
  }

  PlayedBytes played() {
    return ledger.totals().played();
  }

  @Test
  void chunksFetchedForAPlayAreChargedToTheirSourceAndTheRestToTheCache() {
    assertTrue(ledger.fetched(A, 0, CHUNK, Source.CDN));
    assertTrue(ledger.fetched(A, 1, CHUNK, Source.PEER));
    PlayedBytesLedger.Play play = ledger.open(A);
    readChunk(play, 0);
    readChunk(play, 1);
    readChunk(play, 2); // held from before: never fetched in this node's life

    assertEquals(new PlayedBytes(CHUNK, CHUNK, CHUNK), played());
    PlayedBytesLedger.Totals t = ledger.totals();
    assertEquals(CHUNK, t.fetchedFromPeers());
    assertEquals(CHUNK, t.fetchedFromCdn());
  }

  @Test
  void aChunkIsChargedToTheNetworkOnceThenItIsCache() {
    ledger.fetched(A, 0, CHUNK, Source.PEER);
    readChunk(ledger.open(A), 0);
    readChunk(ledger.open(A), 0); // played again: the node held it
    assertEquals(new PlayedBytes(CHUNK, CHUNK, 0), played());
  }

  @Test
  void aReReadAfterASeekBackIsNotCountedAgain() {
    ledger.fetched(A, 0, CHUNK, Source.PEER);
    ledger.fetched(A, 1, CHUNK, Source.CDN);
    PlayedBytesLedger.Play play = ledger.open(A);
    play.delivered(0, 0, 600);
    play.delivered(0, 300, 900); // seek back to 300: 300..600 again, 600..900 new
    play.delivered(1, 1500, 1800); // seek forward
    play.delivered(1, 1200, 1600); // seek back: 1200..1500 new
    play.delivered(0, 0, 1000); // from the start again: 900..1000 new
    assertEquals(new PlayedBytes(0, 1000, 600), played());
  }

  @Test
  void theRestOfAPartlyPlayedChunkIsFetchedNotPlayed() {
    ledger.fetched(A, 0, CHUNK, Source.PEER);
    ledger.fetched(A, 1, CHUNK, Source.PEER);
    ledger.open(A).delivered(0, 0, 250); // skipped after a quarter of chunk 0
    PlayedBytesLedger.Totals t = ledger.totals();
    assertEquals(new PlayedBytes(0, 250, 0), t.played());
    assertEquals(2 * CHUNK, t.fetchedFromPeers());
  }

  @Test
  void aPrefetchedTrackIsChargedToTheNetworkWhenItIsPlayedNext() {
    PlayedBytesLedger.Play a = ledger.open(A);
    ledger.fetched(A, 0, CHUNK, Source.CDN);
    readChunk(a, 0);
    ledger.fetched(B, 0, CHUNK, Source.PEER); // prefetched while A plays
    readChunk(ledger.open(B), 0);
    assertEquals(new PlayedBytes(0, CHUNK, CHUNK), played());
  }

  @Test
  void whatWasFetchedForAnotherTrackIsCacheOnceAPlayOfAThirdBegins() {
    ledger.fetched(A, 0, CHUNK, Source.PEER); // prefetched for a play that did not follow
    ledger.open(B);
    readChunk(ledger.open(A), 0);
    PlayedBytesLedger.Totals t = ledger.totals();
    assertEquals(new PlayedBytes(CHUNK, 0, 0), t.played());
    assertEquals(CHUNK, t.fetchedFromPeers(), "it was fetched all the same");
  }

  @Test
  void aReplayOfTheSameTrackKeepsWhatItsFirstPlayDidNotRead() {
    ledger.fetched(A, 0, CHUNK, Source.PEER);
    ledger.fetched(A, 1, CHUNK, Source.CDN);
    readChunk(ledger.open(A), 0); // a player's second request (a seek) is a new stream
    PlayedBytesLedger.Play again = ledger.open(A);
    readChunk(again, 0);
    readChunk(again, 1);
    assertEquals(new PlayedBytes(CHUNK, CHUNK, CHUNK), played());
  }

  @Test
  void aSecondCopyOfAChunkOnRecordIsNotCounted() {
    assertTrue(ledger.fetched(A, 0, CHUNK, Source.PEER));
    assertFalse(ledger.fetched(A, 0, CHUNK, Source.CDN));
    readChunk(ledger.open(A), 0);
    PlayedBytesLedger.Totals t = ledger.totals();
    assertEquals(CHUNK, t.fetchedFromPeers());
    assertEquals(0, t.fetchedFromCdn());
    assertEquals(new PlayedBytes(0, CHUNK, 0), t.played());
  }

  @Test
  void aRejectedChunkIsTakenBack() {
    ledger.fetched(A, 3, CHUNK, Source.PEER);
    ledger.rejected(A, 3, CHUNK, Source.PEER);
    assertEquals(0, ledger.totals().fetchedFromPeers());
    readChunk(ledger.open(A), 3);
    assertEquals(new PlayedBytes(CHUNK, 0, 0), played());
    ledger.rejected(A, 3, CHUNK, Source.PEER); // nothing on record: nothing to take back
    assertEquals(0, ledger.totals().fetchedFromPeers());
  }

  @Test
  void onlyTheMostRecentTracksAreRemembered() {
    for (int t = 0; t <= PlayedBytesLedger.REMEMBERED_TRACKS; t++) {
      ledger.fetched(track(100 + t), 0, CHUNK, Source.CDN); // prefetched, never opened
    }
    PlayedBytesLedger.Play oldest = ledger.open(track(100));
    readChunk(oldest, 0);
    assertEquals(new PlayedBytes(CHUNK, 0, 0), played());
  }

  @Test
  void theCacheFetchesNothing() {
    assertThrows(IllegalArgumentException.class, () -> ledger.fetched(A, 0, CHUNK, Source.CACHE));
  }

  /**
   * Random fetches, plays, seeks and re-reads: played adds up by source, no source is charged more
   * than it delivered, and each play counts each byte at most once.
   */
  @Test
  void randomHistoriesAddUp() {
    SplittableRandom random = new SplittableRandom(11);
    int chunks = 20;
    for (int round = 0; round < 200; round++) {
      PlayedBytesLedger l = new PlayedBytesLedger();
      long delivered = 0;
      for (int step = 0; step < 60; step++) {
        TrackId t = track(random.nextInt(3));
        for (int i = 0; i < 5; i++) {
          l.fetched(t, random.nextInt(chunks), CHUNK, random.nextBoolean() ? Source.PEER : Source.CDN);
        }
        PlayedBytesLedger.Play play = l.open(t);
        boolean[] seen = new boolean[chunks * CHUNK];
        for (int r = 0; r < 10; r++) {
          int index = random.nextInt(chunks);
          long from = (long) index * CHUNK + random.nextInt(CHUNK);
          long to = from + random.nextInt((int) ((long) (index + 1) * CHUNK - from) + 1);
          play.delivered(index, from, to);
          for (long b = from; b < to; b++) {
            if (!seen[(int) b]) {
              seen[(int) b] = true;
              delivered++;
            }
          }
        }
      }
      PlayedBytesLedger.Totals totals = l.totals();
      PlayedBytes p = totals.played();
      assertEquals(delivered, p.total(), "each byte once per play");
      assertEquals(p.total(), p.fromCache() + p.fromPeers() + p.fromCdn());
      assertTrue(p.fromPeers() <= totals.fetchedFromPeers(), totals.toString());
      assertTrue(p.fromCdn() <= totals.fetchedFromCdn(), totals.toString());
    }
  }
}
