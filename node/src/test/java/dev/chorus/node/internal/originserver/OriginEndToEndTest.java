package dev.chorus.node.internal.originserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.node.internal.originclient.OriginClient;
import dev.chorus.node.internal.originclient.OriginConfig;
import dev.chorus.node.internal.publish.CatalogPublisher;
import dev.chorus.node.internal.publish.FfprobeAudioProbe;
import dev.chorus.node.internal.publish.PublishReport;
import dev.chorus.node.internal.publish.TestAudio;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** publish (real ffmpeg audio) → OriginServer → the node's OriginClient, verified chunk by chunk. */
class OriginEndToEndTest {
  @TempDir Path dir;

  @Test
  void originClientFetchesPublishedManifestsAndChunks() throws Exception {
    Path opus = TestAudio.tone(dir, "tone.opus", "libopus", 440, 5, "title=Sine 440", "artist=Chorus");
    Path vorbis = TestAudio.tone(dir, "tone.ogg", "libvorbis", 660, 5, "title=Sine 660");
    PublisherKeyPair key = PublisherKeyPair.generate(new SecureRandom());
    Path catalog = dir.resolve("catalog");
    PublishReport report = CatalogPublisher.create(catalog, key,
        FfprobeAudioProbe.create(TestAudio.ffprobe().toString())).publish(List.of(opus, vorbis));
    assertEquals(List.of(), report.failed());

    try (OriginServer server = OriginServer.start(OriginServerConfig.builder().root(catalog).build());
        OriginClient client = OriginClient.create(OriginConfig.builder().addBaseUri(server.baseUri()).build())) {
      for (PublishReport.Published p : report.published()) {
        TrackManifest m = client.fetchManifest(p.manifest().trackId()).get();
        assertEquals(p.manifest(), m);
        assertArrayEquals(p.manifest().encoded(), m.encoded());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int first = 0; first < m.chunkCount(); first += 2) {
          for (byte[] chunk : client.fetchChunks(m, first, Math.min(2, m.chunkCount() - first)).get()) {
            all.write(chunk);
          }
        }
        assertArrayEquals(Files.readAllBytes(p.source()), all.toByteArray());
        long middle = m.sizeBytes() / 2;
        assertArrayEquals(java.util.Arrays.copyOfRange(all.toByteArray(), (int) middle, (int) middle + 1000),
            client.fetchRange(m, middle, 1000).get());
      }
    }
  }
}
