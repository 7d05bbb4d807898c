package dev.chorus.node;

import dev.chorus.node.internal.core.Source;
import dev.chorus.protocol.manifest.TrackId;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where the bytes a node played came from, and what it fetched over the network. Thread-safe.
 *
 * <p><b>Fetched.</b> The runtime calls {@link #fetched} for each verified chunk that arrives from a
 * peer or the CDN while the node does not hold it, <em>before</em> the chunk can be read; a copy of
 * a chunk already held, or already on record, is not counted again. The ledger keeps a record of
 * the chunk's source until a play reads it.
 *
 * <p><b>Played.</b> Each {@link TrackStream} is one play ({@link #open}); it reports every range of
 * bytes it hands to its reader ({@link Play#delivered}). Bytes are counted when delivered, each byte
 * once per play: a re-read after a seek back moves no data and is not counted again (the paper
 * counts data played; a seek forward counts only what is then read). The first time a play reads
 * from a chunk, the chunk's source for that play is fixed:
 *
 * <ul>
 *   <li>{@link Source#PEER} or {@link Source#CDN} if the chunk is on record: it was fetched for
 *       this play, or prefetched for it while the previous track played. The record is taken, so
 *       no other play charges the network for the same fetch;
 *   <li>{@link Source#CACHE} otherwise: the node held the chunk from before (a track played
 *       earlier, the rest of a track downloaded after its listener skipped away).
 * </ul>
 *
 * <p>Opening a play of a track forgets the records of every other track (what was fetched for a
 * play that has ended, or prefetched for one that did not follow, is cache from then on), which
 * also keeps the records small; at most {@link #REMEMBERED_TRACKS} tracks are kept in any case
 * (a node that only prefetches). This is the simulator's rule ({@code simulator/.../swarm/SimPeer}:
 * a play's chunks are attributed to where they were fetched for that play or its prefetch), with
 * one difference: the simulator counts a re-read after a seek back again.
 *
 * <p>So, per node and at any moment: {@code played.total() == played.fromCache() +
 * played.fromPeers() + played.fromCdn()} by construction, and {@code played.fromPeers() <=
 * fetchedFromPeers} and {@code played.fromCdn() <= fetchedFromCdn} because each fetched chunk is
 * charged to at most one play, at most its length. The difference is what was fetched and never
 * played by the play it was fetched for: prefetched tracks that were not played, the rest of a
 * skipped track, chunks fetched twice.
 */
final class PlayedBytesLedger {
  /** Tracks whose unplayed chunk records are kept at most. */
  static final int REMEMBERED_TRACKS = 8;
  private static final byte NONE = 0;

  /** Per track, per chunk: the source of a fetched chunk no play has read yet (or {@link #NONE}). */
  private final Map<TrackId, byte[]> unplayed = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<TrackId, byte[]> eldest) {
      return size() > REMEMBERED_TRACKS;
    }
  };
  private long fetchedFromPeers;
  private long fetchedFromCdn;
  private long playedFromCache;
  private long playedFromPeers;
  private long playedFromCdn;

  /** What was fetched and played so far, read at one instant. */
  record Totals(PlayedBytes played, long fetchedFromPeers, long fetchedFromCdn) {}

  /**
   * A verified chunk the node did not hold arrived from {@code source}; call before the chunk can
   * be read. Returns {@code false} (and counts nothing) if a copy of it is already on record.
   */
  synchronized boolean fetched(TrackId track, int index, int bytes, Source source) {
    byte code = code(source);
    byte[] sources = unplayed.get(track);
    if (sources != null && index < sources.length && sources[index] != NONE) {
      return false;
    }
    if (sources == null || index >= sources.length) {
      sources = sources == null ? new byte[Math.max(16, index + 1)]
          : Arrays.copyOf(sources, Math.max(index + 1, 2 * sources.length));
      unplayed.put(track, sources);
    }
    sources[index] = code;
    addFetched(source, bytes);
    return true;
  }

  /**
   * Takes back {@link #fetched} of a chunk that then failed to verify or to be kept, if no play has
   * read it meanwhile.
   */
  synchronized void rejected(TrackId track, int index, int bytes, Source source) {
    byte[] sources = unplayed.get(track);
    if (sources != null && index < sources.length && sources[index] == code(source)) {
      sources[index] = NONE;
      addFetched(source, -bytes);
    }
  }

  /** A play of {@code track} begins: its stream reports what it delivers to the returned play. */
  synchronized Play open(TrackId track) {
    Objects.requireNonNull(track, "track");
    unplayed.keySet().removeIf(t -> !t.equals(track));
    return new Play(track);
  }

  synchronized Totals totals() {
    return new Totals(new PlayedBytes(playedFromCache, playedFromPeers, playedFromCdn), fetchedFromPeers,
        fetchedFromCdn);
  }

  /**
   * Where chunk {@code index} of {@code play}'s track comes from for that play, as the counts have
   * it: the source the play charged it to, else the source of a fetch on record not yet played,
   * else null (held from before, or not held). Any thread: for the node's page.
   */
  synchronized Source sourceOf(Play play, int index) {
    if (index < play.sources.length && play.sources[index] != NONE) {
      return Source.values()[play.sources[index] - 1];
    }
    byte[] fetched = unplayed.get(play.track);
    return fetched == null || index >= fetched.length || fetched[index] == NONE ? null
        : Source.values()[fetched[index] - 1];
  }

  /** Takes the record of a chunk: the source this play charges it to. */
  private Source claim(TrackId track, int index) {
    byte[] sources = unplayed.get(track);
    if (sources == null || index >= sources.length || sources[index] == NONE) {
      return Source.CACHE;
    }
    Source s = Source.values()[sources[index] - 1];
    sources[index] = NONE;
    return s;
  }

  private void addFetched(Source source, long bytes) {
    if (source == Source.PEER) {
      fetchedFromPeers += bytes;
    } else {
      fetchedFromCdn += bytes;
    }
  }

  private void addPlayed(Source source, long bytes) {
    switch (source) {
      case CACHE -> playedFromCache += bytes;
      case PEER -> playedFromPeers += bytes;
      case CDN -> playedFromCdn += bytes;
    }
  }

  private static byte code(Source source) {
    if (source == Source.CACHE) {
      throw new IllegalArgumentException("fetched from the cache: only peers and the CDN fetch");
    }
    return (byte) (source.ordinal() + 1);
  }

  /**
   * One play: what one {@link TrackStream} delivered. Used by the stream's one reader thread; the
   * counts go to the ledger.
   */
  final class Play {
    private final TrackId track;
    /** Per chunk: the source this play charges it to, or {@link #NONE} before it first reads from it. */
    private byte[] sources = new byte[16];
    /** The byte ranges of the track already counted in this play: start to end (exclusive), disjoint. */
    private final TreeMap<Long, Long> counted = new TreeMap<>();

    private Play(TrackId track) {
      this.track = track;
    }

    /** Bytes {@code [from, to)} of the track, all within chunk {@code index}, went to the reader. */
    void delivered(int index, long from, long to) {
      if (from < 0 || to < from || index < 0) {
        throw new IllegalArgumentException("bad range " + from + ".." + to + " of chunk " + index);
      }
      long fresh = count(from, to);
      if (fresh == 0) {
        return;
      }
      synchronized (PlayedBytesLedger.this) {
        if (index >= sources.length) {
          sources = Arrays.copyOf(sources, Math.max(index + 1, 2 * sources.length));
        }
        if (sources[index] == NONE) {
          sources[index] = (byte) (claim(track, index).ordinal() + 1);
        }
        addPlayed(Source.values()[sources[index] - 1], fresh);
      }
    }

    /** Marks {@code [from, to)} as counted; returns how many of its bytes were not counted before. */
    private long count(long from, long to) {
      if (from == to) {
        return 0;
      }
      long start = from;
      long end = to;
      long overlap = 0;
      Map.Entry<Long, Long> left = counted.floorEntry(from);
      if (left != null && left.getValue() >= from) {
        overlap += Math.max(0, Math.min(left.getValue(), to) - from);
        start = left.getKey();
        end = Math.max(end, left.getValue());
        counted.remove(left.getKey());
      }
      Iterator<Map.Entry<Long, Long>> right = counted.tailMap(from, true).entrySet().iterator();
      while (right.hasNext()) {
        Map.Entry<Long, Long> e = right.next();
        if (e.getKey() > to) {
          break;
        }
        overlap += Math.min(e.getValue(), to) - e.getKey();
        end = Math.max(end, e.getValue());
        right.remove();
      }
      counted.put(start, end);
      return (to - from) - overlap;
    }
  }
}
