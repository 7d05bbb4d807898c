package dev.chorus.node.internal.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.s3.S3Access;
import dev.chorus.node.internal.s3.S3AccessException;
import dev.chorus.node.internal.s3.S3AccessException.Reason;
import dev.chorus.node.internal.s3.S3Location;
import dev.chorus.node.internal.s3.S3TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * {@code publish --out s3://...} against a real S3 API server (S3Proxy, SigV4) on a loopback port:
 * the same objects as a local catalog, with types and hashes; multipart; nothing uploaded twice;
 * the index last; clear errors. The probe is the scripted one of {@link CatalogPublisherTest}.
 */
class S3CatalogBucketTest {
  static final int PART = S3CatalogBucket.MIN_PART_BYTES;
  @TempDir Path dir;
  S3TestServer s3;

  @BeforeEach
  void start() throws Exception {
    s3 = S3TestServer.start();
    s3.createBucket("music");
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
  }

  private Path audio(String name, String title, int size) throws IOException {
    byte[] content = new byte[size];
    new Random(name.hashCode()).nextBytes(content);
    byte[] head = ("AUDIO" + title + "\n").getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(head, 0, content, 0, head.length);
    Path file = dir.resolve("in").resolve(name);
    Files.createDirectories(file.getParent());
    return Files.write(file, content);
  }

  private PublishReport publish(S3Access access, String location, Path... files) throws IOException {
    try (CatalogPublisher p = CatalogPublisher.toBucket(S3Location.parse("out", location), access,
        CatalogPublisherTest.KEY, CatalogPublisherTest.PROBE, PART, PART)) {
      return p.publish(List.of(files));
    }
  }

  @Test
  void uploadsTheSameCatalogAsALocalOneWithTypesAndHashesIndexLast() throws Exception {
    Path small = audio("small.opus", "Small", 40_000);
    Path large = audio("large.opus", "Large", 2 * PART + 12_345); // three parts
    PublishReport report = publish(s3.access(), "s3://music/catalog", small, large);
    assertEquals(List.of(), report.failed());
    assertEquals(5, report.objectsWritten()); // 2 audio, 2 manifests, the index
    assertEquals(1, s3.multipartUploads());
    assertEquals(3, s3.parts());

    Path local = dir.resolve("local");
    PublishReport same = CatalogPublisher.create(local, CatalogPublisherTest.KEY, CatalogPublisherTest.PROBE)
        .publish(List.of(small, large));
    List<String> keys = s3.writtenKeys();
    for (PublishReport.Published p : same.published()) {
      String audioKey = p.entry().originKey();
      String manifestKey = "manifests/" + p.entry().trackId();
      assertArrayEquals(Files.readAllBytes(local.resolve(audioKey)), s3.read("music", "catalog/" + audioKey));
      assertArrayEquals(Files.readAllBytes(local.resolve(manifestKey)), s3.read("music", "catalog/" + manifestKey));
      assertEquals("audio/ogg; codecs=opus", s3.contentType("music", "catalog/" + audioKey));
      assertEquals("public, max-age=31536000, immutable", s3.cacheControl("music", "catalog/" + audioKey));
      assertEquals(S3CatalogBucket.sha256Hex(Files.readAllBytes(p.source())),
          s3.userMetadata("music", "catalog/" + audioKey).get(S3CatalogBucket.SHA256_METADATA));
      assertEquals("application/octet-stream", s3.contentType("music", "catalog/" + manifestKey));
      assertTrue(keys.indexOf("catalog/" + audioKey) < keys.indexOf("catalog/" + manifestKey), keys.toString());
    }
    assertArrayEquals(Files.readAllBytes(local.resolve("index.json")), s3.read("music", "catalog/index.json"));
    assertEquals("application/json", s3.contentType("music", "catalog/index.json"));
    assertEquals("no-cache", s3.cacheControl("music", "catalog/index.json"));
    assertEquals("catalog/index.json", keys.get(keys.size() - 1), "the index is written last");
  }

  @Test
  void republishingUploadsNothingAndANewTrackOnlyItsObjectsAndTheIndex() throws Exception {
    Path a = audio("a.opus", "A", 40_000);
    Path large = audio("large.opus", "Large", PART + 1);
    publish(s3.access(), "s3://music/c", a, large);
    int writes = s3.writes();
    byte[] index = s3.read("music", "c/index.json");

    PublishReport again = publish(s3.access(), "s3://music/c", a, large);
    assertEquals(2, again.published().size());
    assertEquals(0, again.objectsWritten());
    assertEquals(5, again.objectsUnchanged());
    assertEquals(writes, s3.writes(), "re-publishing wrote to the bucket");
    assertArrayEquals(index, s3.read("music", "c/index.json"));

    Path b = audio("b.opus", "B", 30_000);
    PublishReport more = publish(s3.access(), "s3://music/c", b);
    assertEquals(3, more.objectsWritten()); // its audio, its manifest, the merged index
    assertEquals(writes + 3, s3.writes());
    String merged = new String(s3.read("music", "c/index.json"), StandardCharsets.UTF_8);
    assertEquals(3, CatalogIndex.parse(merged.getBytes(StandardCharsets.UTF_8), "index").entries().size(), merged);
  }

  @Test
  void aMissingBucketIsNamed() throws Exception {
    S3AccessException e = assertThrows(S3AccessException.class,
        () -> publish(s3.access(), "s3://no-such-bucket/c", audio("a.opus", "A", 1000)));
    assertEquals(Reason.NO_SUCH_BUCKET, e.reason());
    assertTrue(e.getMessage().contains("bucket 'no-such-bucket' does not exist"), e.getMessage());
    assertEquals(0, s3.writes());
  }

  @Test
  void accessDeniedSaysWhichPermissionsAreNeeded() throws Exception {
    s3.createBucket("locked");
    s3.denyAll("locked");
    S3AccessException e = assertThrows(S3AccessException.class,
        () -> publish(s3.access(), "s3://locked/c", audio("a.opus", "A", 1000)));
    assertEquals(Reason.ACCESS_DENIED, e.reason());
    assertTrue(e.getMessage().contains("access denied") && e.getMessage().contains("s3:PutObject on locked/c/*"),
        e.getMessage());
  }

  @Test
  void wrongCredentialsAreReportedAsSuchWithoutTheSecret() throws Exception {
    String secret = "wrong-secret-1234567890";
    S3Access wrongSecret = S3Access.builder().endpoint(s3.endpoint()).credentials(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, secret))).build();
    S3AccessException e = assertThrows(S3AccessException.class,
        () -> publish(wrongSecret, "s3://music/c", audio("a.opus", "A", 1000)));
    assertEquals(Reason.INVALID_CREDENTIALS, e.reason());
    assertFalse(e.getMessage().contains(secret), e.getMessage());

    S3Access unknownKey = S3Access.builder().endpoint(s3.endpoint()).credentials(
        StaticCredentialsProvider.create(AwsBasicCredentials.create("nobody", secret))).build();
    e = assertThrows(S3AccessException.class, () -> publish(unknownKey, "s3://music/c", audio("b.opus", "B", 1000)));
    assertEquals(Reason.INVALID_CREDENTIALS, e.reason());
    assertEquals(0, s3.writes());
  }

  @Test
  void missingCredentialsSayWhereTheyComeFrom() throws Exception {
    S3Access none = S3Access.builder().endpoint(s3.endpoint()).credentials(() -> {
      throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    }).build();
    S3AccessException e = assertThrows(S3AccessException.class,
        () -> publish(none, "s3://music/c", audio("a.opus", "A", 1000)));
    assertEquals(Reason.NO_CREDENTIALS, e.reason());
    assertTrue(e.getMessage().contains("AWS_ACCESS_KEY_ID"), e.getMessage());
  }
}
