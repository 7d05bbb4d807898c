package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.publish.CatalogPublisher;
import dev.chorus.node.internal.publish.FfprobeAudioProbe;
import dev.chorus.node.internal.publish.PublishReport;
import dev.chorus.node.internal.publish.TestAudio;
import dev.chorus.node.internal.s3.S3Location;
import dev.chorus.node.internal.s3.S3TestServer;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * Publish to a bucket of a real S3 API server (S3Proxy, SigV4, loopback), then play through a real
 * node whose only origin is {@code s3://music/catalog}: whole tracks and a seek (a Range GET from
 * the middle), verified byte for byte; with wrong credentials a new track fails with a clear
 * error while the cached one still plays. The timeout only stops a broken build from hanging.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class S3OriginNodeTest {
  static final String WRONG_SECRET = "not-the-secret-0123456789";

  @TempDir Path dir;
  S3TestServer s3;
  ChorusNode node;
  final PublisherKeyPair publisher = PublisherKeyPair.generate(new SecureRandom());
  final AtomicReference<AwsCredentials> credentials = new AtomicReference<>(
      AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY));

  @BeforeEach
  void start() throws Exception {
    s3 = S3TestServer.start();
    s3.createBucket("music");
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private List<PublishReport.Published> publish(Path... files) throws IOException {
    try (CatalogPublisher p = CatalogPublisher.toBucket(S3Location.parse("out", "s3://music/catalog"),
        s3.access(), publisher, FfprobeAudioProbe.create(TestAudio.ffprobe().toString()))) {
      PublishReport report = p.publish(List.of(files));
      assertEquals(List.of(), report.failed());
      return report.published();
    }
  }

  private ChorusNode startNode() throws IOException {
    return ChorusNode.start(NodeConfig.builder()
        .origin(URI.create("s3://music/catalog"))
        .s3Endpoint(s3.endpoint())
        .s3Credentials(credentials::get)
        .bindHost("127.0.0.1")
        .trustedPublisher(publisher.publicKey())
        .build());
  }

  private static byte[] readAll(TrackStream in) throws IOException {
    return in.readAllBytes();
  }

  @Test
  void playsTracksFromThePrivateBucketAndSeeksWithARange() throws Exception {
    Path first = TestAudio.tone(dir, "a.flac", "flac", 440, 8, "title=A");
    Path second = TestAudio.tone(dir, "b.flac", "flac", 660, 8, "title=B");
    List<PublishReport.Published> published = publish(first, second);
    node = startNode();

    byte[] a = Files.readAllBytes(first);
    try (TrackStream in = node.open(published.get(0).manifest().trackId())) {
      assertEquals(a.length, in.length());
      assertArrayEquals(a, readAll(in));
    }

    byte[] b = Files.readAllBytes(second);
    long middle = b.length / 2 + 1234; // not on a chunk boundary
    try (TrackStream in = node.open(published.get(1).manifest().trackId())) {
      in.seek(middle); // nothing of this track fetched yet: the node asks the bucket for a range
      assertArrayEquals(Arrays.copyOfRange(b, (int) middle, b.length), readAll(in));
      in.seek(0);
      assertArrayEquals(b, readAll(in));
    }
    assertTrue(node.stats().played().fromCdn() > 0, "the bytes came from the bucket");
  }

  @Test
  void wrongCredentialsGiveAClearErrorAndCachedTracksStillPlay() throws Exception {
    Path cached = TestAudio.tone(dir, "a.flac", "flac", 440, 4, "title=A");
    Path other = TestAudio.tone(dir, "b.flac", "flac", 660, 4, "title=B");
    List<PublishReport.Published> published = publish(cached, other);
    node = startNode();
    TrackId cachedId = published.get(0).manifest().trackId();
    byte[] a = Files.readAllBytes(cached);
    try (TrackStream in = node.open(cachedId)) {
      assertArrayEquals(a, readAll(in));
    }

    credentials.set(AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, WRONG_SECRET));
    IOException e = assertThrows(IOException.class, () -> node.open(published.get(1).manifest().trackId()));
    assertTrue(e.getMessage().contains("origin s3://music/catalog/ answered 403")
        && e.getMessage().contains("check the node's AWS credentials"), e.getMessage());
    assertFalse(e.getMessage().contains(WRONG_SECRET) || e.getMessage().contains(S3TestServer.SECRET_KEY),
        e.getMessage());

    try (TrackStream in = node.open(cachedId)) {
      assertArrayEquals(a, readAll(in), "the cached track plays without the bucket");
    }
  }
}
