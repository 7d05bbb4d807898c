package dev.chorus.demo;

import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generates and publishes the demo's catalog in the origin layout (node/README.md, "Origin
 * layout"): {@code <root>/audio/<sha256>.wav} and {@code <root>/manifests/<trackIdHex>}. Needs no
 * external tool (the regular publisher probes files with ffprobe; these are made here, so their
 * duration and bitrate are known).
 */
final class DemoCatalog {
  static final String MIME_TYPE = "audio/wav";
  static final int MIN_TRACK_MILLIS = 60_000;
  static final int MAX_TRACK_MILLIS = 120_000;

  private DemoCatalog() {}

  /** One published track: its manifest and the number it has in the demo (1..n). */
  record Track(int number, TrackManifest manifest) {
    String title() {
      return "Chorus demo track " + number;
    }
  }

  /** The artist every demo track is credited to in {@code index.json}. */
  static final String ARTIST = "Chorus demo";

  /** Writes {@code count} tracks under {@code root} and returns them in catalog order. */
  static List<Track> publish(Path root, int count, long seed, PublisherKeyPair publisher) throws IOException {
    SplittableRandom lengths = new SplittableRandom(seed);
    List<Track> tracks = new ArrayList<>(count);
    Files.createDirectories(root.resolve("audio"));
    Files.createDirectories(root.resolve("manifests"));
    for (int i = 1; i <= count; i++) {
      int millis = MIN_TRACK_MILLIS + lengths.nextInt(MAX_TRACK_MILLIS - MIN_TRACK_MILLIS + 1);
      millis -= millis % 1000;
      byte[] wav = DemoAudio.track(seed, i, millis);
      String originKey = "audio/" + HexFormat.of().formatHex(sha256(wav)) + ".wav";
      TrackManifest manifest = TrackManifest.builder()
          .mimeType(MIME_TYPE)
          .originKey(originKey)
          .durationMillis(millis)
          .bitsPerSecond(DemoAudio.BITS_PER_SECOND)
          .publish(wav, publisher);
      Files.write(root.resolve(originKey), wav);
      Files.write(root.resolve("manifests").resolve(manifest.trackId().toHex()), manifest.encoded());
      tracks.add(new Track(i, manifest));
    }
    writeIndex(root, tracks);
    return List.copyOf(tracks);
  }

  /**
   * {@code <root>/index.json} as {@code chorus publish} writes it (node/README.md, "Commands"): what
   * a node's page lists. The titles are plain ASCII made here, so no escaping is needed.
   */
  private static void writeIndex(Path root, List<Track> tracks) throws IOException {
    StringBuilder json = new StringBuilder("{\"version\":1,\"tracks\":[");
    List<Track> byId = new ArrayList<>(tracks);
    byId.sort((a, b) -> a.manifest().trackId().toHex().compareTo(b.manifest().trackId().toHex()));
    for (int i = 0; i < byId.size(); i++) {
      TrackManifest m = byId.get(i).manifest();
      json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "{\"trackId\":\"%s\",\"title\":\"%s\",\"artist\":\"%s\",\"durationMillis\":%d,\"mimeType\":\"%s\","
              + "\"bitsPerSecond\":%d,\"sizeBytes\":%d,\"originKey\":\"%s\"}",
          m.trackId().toHex(), byId.get(i).title(), ARTIST, m.durationMillis(), m.mimeType(), m.bitsPerSecond(),
          m.sizeBytes(), m.originKey()));
    }
    json.append("]}\n");
    Files.writeString(root.resolve("index.json"), json);
  }

  /**
   * The publisher key of a demo run, derived from the seed so that the same seed gives the same
   * track ids. Only for the demo: a real publisher key comes from {@code chorus keygen}.
   */
  static PublisherKeyPair publisherKey(long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x43686F7275734B65L);
    byte[] privateKey = new byte[PublisherKeyPair.PRIVATE_KEY_BYTES];
    for (int i = 0; i < privateKey.length; i++) {
      privateKey[i] = (byte) random.nextInt(256);
    }
    return PublisherKeyPair.fromPrivateKey(privateKey);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
