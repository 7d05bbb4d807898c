package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.s3.S3Access;
import dev.chorus.node.internal.s3.S3TestServer;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.testing.process.FreePorts;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * {@code s3://} origins against a real S3 API server (S3Proxy, SigV4) on a loopback port: signed
 * range reads, and the same failover and verification as HTTP origins.
 */
class S3OriginClientTest {
  static final String WRONG_SECRET = "not-the-secret-0123456789";
  S3TestServer s3;
  final TestCatalog.Track track = TestCatalog.track(7, 100_000, "audio/a b+c=d\u00fc.opus");

  @BeforeEach
  void start() throws Exception {
    s3 = S3TestServer.start();
    s3.createBucket("music");
    upload("cat/", track.content());
  }

  @AfterEach
  void stop() {
    s3.close();
  }

  private void upload(String prefix, byte[] audio) {
    s3.put("music", prefix + "manifests/" + track.manifest().trackId().toHex(), track.manifest().encoded());
    s3.put("music", prefix + track.manifest().originKey(), audio);
  }

  private OriginClient client(S3Access access, RecordingListener listener, String... origins) {
    OriginConfig.Builder b = OriginConfig.builder().s3(access).initialBackoff(java.time.Duration.ofMillis(1))
        .maxBackoff(java.time.Duration.ofMillis(2));
    for (String o : origins) {
      b.addBaseUri(o);
    }
    return OriginClient.create(b.build(), listener);
  }

  private static OriginException failure(ExecutionException e) {
    return assertInstanceOf(OriginException.class, e.getCause());
  }

  @Test
  void signedReadsOfManifestsChunksAndRangesWithKeysNeedingEncoding() throws Exception {
    try (OriginClient client = client(s3.access(), new RecordingListener(), "s3://music/cat")) {
      TrackManifest m = client.fetchManifest(track.manifest().trackId()).get();
      assertArrayEquals(track.manifest().encoded(), m.encoded());
      List<byte[]> chunks = client.fetchChunks(m, 0, m.chunkCount()).get();
      for (int i = 0; i < chunks.size(); i++) {
        assertArrayEquals(track.chunk(i), chunks.get(i));
      }
      assertArrayEquals(track.range(50_001, 1234), client.fetchRange(m, 50_001, 1234).get());
    }
  }

  @Test
  void failsOverFromADeadHttpOriginAndFromABucketWithWrongBytes() throws Exception {
    byte[] tampered = track.content().clone();
    tampered[20_000] ^= 1; // in chunk 1
    upload("bad/", tampered);
    String dead = "http://127.0.0.1:" + FreePorts.loopback() + "/";
    RecordingListener listener = new RecordingListener();
    try (OriginClient client = client(s3.access(), listener, dead, "s3://music/bad", "s3://music/cat")) {
      List<byte[]> chunks = client.fetchChunks(track.manifest(), 0, 3).get();
      assertArrayEquals(track.chunk(1), chunks.get(1));
    }
    assertEquals(List.of(
        new RecordingListener.Failure(URI.create(dead), OriginException.Kind.CONNECT_FAILED),
        new RecordingListener.Failure(URI.create("s3://music/bad/"), OriginException.Kind.BAD_CONTENT)),
        listener.failed);
    assertEquals(List.of(URI.create("s3://music/cat/")), listener.succeeded);
  }

  @Test
  void wrongCredentialsAreAClientErrorThatNamesTheCheckAndNotTheSecret() throws Exception {
    S3Access wrong = S3Access.builder().endpoint(s3.endpoint()).credentials(StaticCredentialsProvider.create(
        AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, WRONG_SECRET))).build();
    try (OriginClient client = client(wrong, new RecordingListener(), "s3://music/cat")) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> client.fetchManifest(track.manifest().trackId()).get());
      OriginException o = failure(e);
      assertEquals(OriginException.Kind.CLIENT_ERROR, o.kind());
      assertEquals(403, o.statusCode().orElse(-1));
      assertTrue(o.getMessage().contains("check the node's AWS credentials"), o.getMessage());
      for (String shown : List.of(o.toString(), client.toString(), client.config().toString())) {
        assertFalse(shown.contains(WRONG_SECRET) || shown.contains(S3TestServer.ACCESS_KEY), shown);
      }
    }
  }

  @Test
  void missingCredentialsFailWithoutARequestAndTheOtherOriginsAreTried() throws Exception {
    S3Access none = S3Access.builder().endpoint(s3.endpoint()).credentials(() -> {
      throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    }).build();
    RecordingListener listener = new RecordingListener();
    try (OriginClient client = client(none, listener, "s3://music/cat")) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> client.fetchManifest(track.manifest().trackId()).get());
      OriginException o = failure(e);
      assertEquals(OriginException.Kind.CLIENT_ERROR, o.kind());
      assertTrue(o.getMessage().contains("no AWS credentials") && o.getMessage().contains("AWS_ACCESS_KEY_ID"),
          o.getMessage());
    }
    assertEquals(List.of(), listener.started, "no request without a signature");
  }
}
