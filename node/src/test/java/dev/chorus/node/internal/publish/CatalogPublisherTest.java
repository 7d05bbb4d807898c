package dev.chorus.node.internal.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog layout and determinism, with a scripted probe (no ffprobe needed). */
class CatalogPublisherTest {
  static final PublisherKeyPair KEY = PublisherKeyPair.fromPrivateKey(new byte[32]);
  @TempDir Path dir;

  /** "Audio" is any file starting with "AUDIO"; its title is the rest of the first line. */
  static final AudioProbe PROBE = file -> {
    try {
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      if (!text.startsWith("AUDIO")) {
        throw new AudioProbeException("not an audio file ffprobe can read: Invalid data");
      }
      String title = text.substring(5, text.indexOf('\n')).strip();
      return new AudioInfo("audio/ogg; codecs=opus", "opus", 5000, 96_000, title.isEmpty() ? null : title, "Artist", null);
    } catch (IOException e) {
      throw new AudioProbeException("cannot read: " + e.getMessage());
    }
  };

  private Path audio(String name, String title, int size) throws IOException {
    byte[] content = new byte[size];
    new Random(name.hashCode()).nextBytes(content);
    byte[] head = ("AUDIO" + title + "\n").getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(head, 0, content, 0, head.length);
    Path file = dir.resolve("in").resolve(name);
    Files.createDirectories(file.getParent());
    return Files.write(file, content);
  }

  @Test
  void layoutAsTheOriginClientReadsIt() throws Exception {
    Path a = audio("a.opus", "Song A", 40_000);
    Path out = dir.resolve("catalog");
    PublishReport report = CatalogPublisher.create(out, KEY, PROBE).publish(List.of(a));
    assertEquals(List.of(), report.failed());
    PublishReport.Published p = report.published().get(0);
    byte[] content = Files.readAllBytes(a);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    assertEquals("audio/" + sha.substring(0, 2) + "/" + sha + ".opus", p.manifest().originKey());
    assertArrayEquals(content, Files.readAllBytes(out.resolve(p.manifest().originKey())));
    byte[] wire = Files.readAllBytes(out.resolve("manifests").resolve(p.entry().trackId()));
    TrackManifest m = ManifestVerifier.create().verify(TrackId.fromHex(p.entry().trackId()), wire);
    assertEquals(content.length, m.sizeBytes());
    assertEquals(3, m.chunkCount());
    assertEquals(5000, m.durationMillis());
    assertEquals(96_000, m.bitsPerSecond());
    assertEquals(KEY.publicKey(), m.publisher());
    CatalogEntry e = CatalogIndex.read(out).entries().get(0);
    assertEquals(new CatalogEntry(m.trackId().toHex(), "Song A", "Artist", null, 5000,
        "audio/ogg; codecs=opus", 96_000, content.length, m.originKey(), KEY.publicKey().toText(), "a.opus"), e);
    try (Stream<Path> files = Files.walk(out)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".tmp-")), "temporary files left");
    }
    // Not Files.createTempFile's owner-only mode: a web server must be able to read the catalog.
    Path plain = Files.createFile(dir.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out.resolve(m.originKey())));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out.resolve("index.json")));
  }

  @Test
  void republishingGivesTheSameIdsAndBytesAndMergesTheIndex() throws Exception {
    Path a = audio("a.opus", "A", 20_000);
    Path b = audio("b.opus", "B", 50_000);
    Path out = dir.resolve("catalog");
    PublishReport first = CatalogPublisher.create(out, KEY, PROBE).publish(List.of(a));
    byte[] index1 = Files.readAllBytes(out.resolve("index.json"));
    PublishReport second = CatalogPublisher.create(out, KEY, PROBE).publish(List.of(b, a));
    assertEquals(first.published().get(0).manifest(), second.published().get(1).manifest());
    assertEquals(2, CatalogIndex.read(out).entries().size());
    // A new catalog from the same files in another order: the same bytes everywhere.
    Path out2 = dir.resolve("catalog2");
    CatalogPublisher.create(out2, KEY, PROBE).publish(List.of(a));
    assertArrayEquals(index1, Files.readAllBytes(out2.resolve("index.json")));
    CatalogPublisher.create(out2, KEY, PROBE).publish(List.of(b));
    assertArrayEquals(Files.readAllBytes(out.resolve("index.json")), Files.readAllBytes(out2.resolve("index.json")));
  }

  @Test
  void badFilesAreReportedAndTheRestPublished() throws Exception {
    Path good = audio("good.opus", "Good", 1000);
    Path bad = Files.writeString(dir.resolve("in/bad.opus"), "garbage");
    Path missing = dir.resolve("in/missing.opus");
    PublishReport r = CatalogPublisher.create(dir.resolve("c"), KEY, PROBE).publish(List.of(bad, good, missing));
    assertEquals(1, r.published().size());
    assertEquals(List.of(new PublishReport.Failure(bad, "not an audio file ffprobe can read: Invalid data"),
        new PublishReport.Failure(missing, "no such file or folder")), r.failed());
  }

  @Test
  void foldersAreWalkedSkippingHiddenNonAudioAndTheCatalogItself() throws Exception {
    audio("x/1.opus", "1", 100);
    audio("x/y/2.OGG", "2", 100);
    audio("x/.hidden.opus", "h", 100);
    Files.writeString(dir.resolve("in/x/cover.jpg"), "jpeg");
    Path in = dir.resolve("in");
    PublishReport first = CatalogPublisher.create(in.resolve("catalog"), KEY, PROBE).publish(List.of(in));
    assertEquals(2, first.published().size());
    assertEquals(2, first.skippedInFolders());
    PublishReport again = CatalogPublisher.create(in.resolve("catalog"), KEY, PROBE).publish(List.of(in));
    assertEquals(2, again.published().size(), "the catalog inside the input folder is not published");
  }

  @Test
  void chunkSizeGrowsForHugeFiles() {
    assertEquals(16_384, CatalogPublisher.chunkBytesFor(1));
    assertEquals(16_384, CatalogPublisher.chunkBytesFor(131_072L * 16_384));
    assertEquals(32_768, CatalogPublisher.chunkBytesFor(131_072L * 16_384 + 1));
  }
}
