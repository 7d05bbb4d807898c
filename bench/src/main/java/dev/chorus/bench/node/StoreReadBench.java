package dev.chorus.bench.node;

import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.node.internal.store.ChunkStoreConfig;
import dev.chorus.node.internal.store.ChunkStoreListener;
import dev.chorus.node.internal.store.RocksDbChunkStore;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * What a cached play costs a node before it can start: reading the track's manifest from the
 * RocksDB cache (what {@code SwarmCommands.fetchManifest} does for a held track) and reading the
 * first chunk, verified against the manifest (what the node's player does when the start policy
 * says ready). A store of whole 4 MiB tracks (about 3.5 minutes at 160 kbit/s, 16 KiB chunks) is
 * written, closed and opened again, as after a restart; then tracks are read in random order.
 * The simulator takes these figures as its {@code node.manifestRead} and {@code node.chunkRead}.
 * The OS page cache is not dropped, so these are reads of a warm disk cache.
 */
public final class StoreReadBench {
  private static final int CHUNK_BYTES = 16_384;
  private static final int TRACK_BYTES = 4 << 20;
  private static final int BYTES_PER_SECOND = 20_000;

  private StoreReadBench() {}

  public static String usage() {
    return "store-read [--tracks N] [--rounds N]: manifest read and first-chunk read+verify from a RocksDB cache\n"
        + "                  of N whole 4 MiB tracks (default 64), each read once per round (default 5)";
  }

  public static List<String> run(List<String> args) throws Exception {
    int tracks = BenchOptions.intOption(args, "--tracks", 64);
    int rounds = BenchOptions.intOption(args, "--rounds", 5);
    Path dir = Files.createTempDirectory("chorus-store-bench");
    try {
      List<TrackId> ids = write(dir, tracks);
      Histogram manifest = new Histogram(60_000_000_000L, 3);
      Histogram chunk = new Histogram(60_000_000_000L, 3);
      try (ChunkStore store = RocksDbChunkStore.open(config(dir), ChunkStoreListener.NO_OP)) {
        SplittableRandom random = new SplittableRandom(1);
        for (int r = 0; r < rounds; r++) {
          for (int i = 0; i < ids.size(); i++) {
            TrackId id = ids.get(random.nextInt(ids.size()));
            long t0 = System.nanoTime();
            TrackManifest m = store.manifest(id).orElseThrow();
            long t1 = System.nanoTime();
            byte[] first = store.chunk(id, 0).orElseThrow(); // verified against the manifest
            long t2 = System.nanoTime();
            if (first.length != m.chunkLength(0)) {
              throw new IllegalStateException("wrong first chunk length " + first.length);
            }
            manifest.recordValue(t1 - t0);
            chunk.recordValue(t2 - t1);
          }
        }
      }
      List<String> lines = new ArrayList<>();
      lines.add(bench("store_manifest_read_p50", manifest.getValueAtPercentile(50)));
      lines.add(bench("store_manifest_read_p90", manifest.getValueAtPercentile(90)));
      lines.add(bench("store_first_chunk_read_verify_p50", chunk.getValueAtPercentile(50)));
      lines.add(bench("store_first_chunk_read_verify_p90", chunk.getValueAtPercentile(90)));
      return lines;
    } finally {
      NodeBench.deleteTree(dir);
    }
  }

  private static List<TrackId> write(Path dir, int tracks) throws Exception {
    PublisherKeyPair publisher = PublisherKeyPair.generate(new SecureRandom());
    List<TrackId> ids = new ArrayList<>();
    try (ChunkStore store = RocksDbChunkStore.open(config(dir), ChunkStoreListener.NO_OP)) {
      for (int t = 0; t < tracks; t++) {
        byte[] content = new byte[TRACK_BYTES];
        new SplittableRandom(t).nextBytes(content);
        TrackManifest m = TrackManifest.builder()
            .mimeType("audio/ogg; codecs=vorbis")
            .originKey("audio/t" + t + ".ogg")
            .durationMillis(TRACK_BYTES * 1000L / BYTES_PER_SECOND)
            .bitsPerSecond(BYTES_PER_SECOND * 8)
            .chunkSizeBytes(CHUNK_BYTES)
            .publish(content, publisher);
        store.putManifest(m);
        for (int i = 0; i < m.chunkCount(); i++) {
          int from = (int) m.chunkOffset(i);
          store.putChunk(m.trackId(), i, java.util.Arrays.copyOfRange(content, from, from + m.chunkLength(i)));
        }
        ids.add(m.trackId());
      }
    }
    return ids;
  }

  private static ChunkStoreConfig config(Path dir) {
    return ChunkStoreConfig.builder().directory(dir).capacityBytes(2L << 30).build();
  }

  private static String bench(String name, long nanos) {
    return "BENCH " + name + " " + String.format(Locale.ROOT, "%.1f", nanos / 1000.0) + " us";
  }
}
