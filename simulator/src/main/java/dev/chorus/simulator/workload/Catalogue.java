package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * The tracks: ids {@code 0..size-1}, each with a duration (lognormal around a median, clamped) and
 * a size at a constant bitrate, grouped into albums (or playlists) of {@code albumTracks}
 * consecutive ids, the last one possibly shorter. "In sequence" means the next track of the same
 * album, wrapping from its last track to its first. Durations live in one {@code int[]} (4 bytes a
 * track); everything else is computed.
 */
public final class Catalogue {
  private final int size;
  private final int albumTracks;
  private final int bitrateKbps;
  private final int[] durationMillis;

  /** A catalogue as configured, durations drawn from {@code rng}. */
  public Catalogue(WorkloadConfig config, SplittableRandom rng) {
    this(config.catalogueTracks(), config.albumTracks(), config.bitrateKbps(),
        durations(config, rng));
  }

  /** A catalogue with the given durations (one per track). */
  public Catalogue(int albumTracks, int bitrateKbps, int[] durationMillis) {
    this(durationMillis.length, albumTracks, bitrateKbps, durationMillis.clone());
  }

  private Catalogue(int size, int albumTracks, int bitrateKbps, int[] durationMillis) {
    if (size < 1 || albumTracks < 1 || bitrateKbps < 1) {
      throw new IllegalArgumentException("size, albumTracks and bitrateKbps must be positive");
    }
    for (int d : durationMillis) {
      if (d < 1) {
        throw new IllegalArgumentException("durations must be positive, found " + d);
      }
    }
    this.size = size;
    this.albumTracks = albumTracks;
    this.bitrateKbps = bitrateKbps;
    this.durationMillis = durationMillis;
  }

  private static int[] durations(WorkloadConfig c, SplittableRandom rng) {
    int[] d = new int[c.catalogueTracks()];
    double mu = StrictMath.log(c.durationMedianSeconds() * 1000);
    double min = c.durationMinSeconds() * 1000;
    double max = c.durationMaxSeconds() * 1000;
    for (int i = 0; i < d.length; i++) {
      double ms = RandomMath.lognormal(rng, mu, c.durationSigma());
      d[i] = (int) Math.round(Math.max(min, Math.min(max, ms)));
    }
    return d;
  }

  public int size() {
    return size;
  }

  public int albumTracks() {
    return albumTracks;
  }

  public int albums() {
    return (size + albumTracks - 1) / albumTracks;
  }

  public int bitrateKbps() {
    return bitrateKbps;
  }

  public int durationMillis(int track) {
    return durationMillis[track];
  }

  /** The encoded size of the whole track: duration × bitrate. */
  public long sizeBytes(int track) {
    return bytesFor(durationMillis[track]);
  }

  /** The bytes of {@code millis} of audio at the catalogue's bitrate (kbit/s × ms / 8). */
  public long bytesFor(long millis) {
    return millis * bitrateKbps / 8;
  }

  public int albumOf(int track) {
    return track / albumTracks;
  }

  /** The first track id of album {@code album}. */
  public int albumStart(int album) {
    return album * albumTracks;
  }

  /** The number of tracks of album {@code album} ({@code albumTracks}, or fewer for the last). */
  public int albumLength(int album) {
    return Math.min(albumTracks, size - album * albumTracks);
  }

  /** The next track of the same album, wrapping from the album's last track to its first. */
  public int nextInAlbum(int track) {
    int start = track - track % albumTracks;
    int next = track + 1;
    return next >= size || next - start >= albumTracks ? start : next;
  }

  /** The mean track duration in milliseconds. */
  public double meanDurationMillis() {
    long sum = 0;
    for (int d : durationMillis) {
      sum += d;
    }
    return (double) sum / size;
  }
}
