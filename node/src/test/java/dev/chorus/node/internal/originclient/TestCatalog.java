package dev.chorus.node.internal.originclient;

import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Deterministic signed tracks, and a catalog directory laid out as {@link OriginClient} reads it. */
final class TestCatalog {
  static final int CHUNK_BYTES = 16_384;
  static final PublisherKeyPair KEY = PublisherKeyPair.fromPrivateKey(fixedKey());

  /** A published track: its manifest and content. */
  record Track(TrackManifest manifest, byte[] content) {
    byte[] chunk(int index) {
      return range(manifest.chunkOffset(index), manifest.chunkLength(index));
    }

    byte[] range(long offset, int length) {
      return Arrays.copyOfRange(content, (int) offset, (int) offset + length);
    }
  }

  private TestCatalog() {}

  /** A track of {@code sizeBytes} pseudo-random bytes seeded by {@code seed}, kept at {@code originKey}. */
  static Track track(long seed, int sizeBytes, String originKey) {
    byte[] content = new byte[sizeBytes];
    new Random(seed).nextBytes(content);
    TrackManifest m = TrackManifest.builder()
        .mimeType("audio/ogg; codecs=opus")
        .originKey(originKey)
        .durationMillis(1000L + sizeBytes / 20)
        .bitsPerSecond(160_000)
        .chunkSizeBytes(CHUNK_BYTES)
        .publish(content, KEY);
    return new Track(m, content);
  }

  /** Writes the track's manifest and audio under {@code root}, as an origin serves them. */
  static void publish(Path root, Track t) throws IOException {
    publish(root, t.manifest(), t.content());
  }

  /** Writes {@code manifest} and {@code audio} (which may be wrong, for tests) under {@code root}. */
  static void publish(Path root, TrackManifest manifest, byte[] audio) throws IOException {
    Path manifests = Files.createDirectories(root.resolve("manifests"));
    Files.write(manifests.resolve(manifest.trackId().toHex()), manifest.encoded());
    Path audioFile = root.resolve(manifest.originKey());
    Files.createDirectories(audioFile.getParent());
    Files.write(audioFile, audio);
  }

  private static byte[] fixedKey() {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (i * 11 + 3);
    }
    return k;
  }
}
