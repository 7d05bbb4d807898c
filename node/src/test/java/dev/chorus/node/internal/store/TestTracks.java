package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import java.util.Arrays;
import java.util.Random;

/** Deterministic tracks signed with a fixed test key. */
final class TestTracks {
  static final int CHUNK_BYTES = 16_384;
  static final PublisherKeyPair KEY = PublisherKeyPair.fromPrivateKey(fixedKey());

  /** A published track: its manifest and content. */
  record Track(TrackManifest manifest, byte[] content) {
    byte[] chunk(int index) {
      int from = (int) manifest.chunkOffset(index);
      return Arrays.copyOfRange(content, from, from + manifest.chunkLength(index));
    }
  }

  private TestTracks() {}

  private static byte[] fixedKey() {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (i * 7 + 1);
    }
    return k;
  }

  /** A track of {@code sizeBytes} pseudo-random bytes seeded by {@code seed}. */
  static Track track(long seed, int sizeBytes) {
    byte[] content = new byte[sizeBytes];
    new Random(seed).nextBytes(content);
    TrackManifest m = TrackManifest.builder()
        .mimeType("audio/ogg; codecs=opus")
        .originKey("tracks/test-" + seed + ".opus")
        .durationMillis(1000L + sizeBytes / 20)
        .bitsPerSecond(160_000)
        .chunkSizeBytes(CHUNK_BYTES)
        .publish(content, KEY);
    return new Track(m, content);
  }
}
