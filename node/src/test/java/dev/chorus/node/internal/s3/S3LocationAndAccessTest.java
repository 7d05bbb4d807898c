package dev.chorus.node.internal.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** s3:// locations, and the URLs and signatures made of them. */
class S3LocationAndAccessTest {
  @Test
  void locationsAreNormalizedAndValidated() {
    assertEquals(new S3Location("music", "catalog/"), S3Location.parse("k", "s3://music/catalog"));
    assertEquals(new S3Location("music", "a/b/"), S3Location.parse("k", "S3://music//a/b/"));
    assertEquals(new S3Location("my.music", ""), S3Location.parse("k", "s3://my.music"));
    assertEquals("s3://music/catalog/", S3Location.parse("k", "s3://music/catalog").toString());
    assertEquals("catalog/index.json", S3Location.parse("k", "s3://music/catalog").key("index.json"));
    for (String bad : new String[] {"s3://Music/x", "s3://ab/x", "s3://music/a/../b", "s3://music/x?token=1",
        "https://music/x", "s3:///x", "s3://mu..sic/x"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> S3Location.parse("origin", bad), bad);
      assertTrue(e.getMessage().startsWith("origin: "), e.getMessage());
    }
  }

  @Test
  void awsS3IsVirtualHostedUnlessTheBucketHasDotsAndAnEndpointIsPathStyle() throws Exception {
    S3Access aws = S3Access.builder().region("eu-west-1").build();
    assertEquals(URI.create("https://music.s3.eu-west-1.amazonaws.com/catalog/"),
        aws.httpBase(S3Location.parse("k", "s3://music/catalog")));
    assertEquals(URI.create("https://s3.eu-west-1.amazonaws.com/my.music/catalog/"),
        aws.httpBase(S3Location.parse("k", "s3://my.music/catalog")));
    assertEquals(URI.create("https://music.s3.cn-north-1.amazonaws.com.cn/"),
        S3Access.builder().region("cn-north-1").build().httpBase(S3Location.parse("k", "s3://music")));
    S3Access store = S3Access.builder().endpoint(URI.create("http://127.0.0.1:9000")).build();
    assertEquals(URI.create("http://127.0.0.1:9000/music/a%20b/"),
        store.httpBase(new S3Location("music", "a b/")));
  }

  @Test
  void badSettingsAreNamed() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Access.builder()
        .endpoint(URI.create("ftp://x")).build()).getMessage().startsWith("s3.endpoint: "));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Access.builder()
        .endpoint(URI.create("http://key:secret@x")).build()).getMessage().startsWith("s3.endpoint: "));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Access.builder()
        .region("EU West").build()).getMessage().startsWith("s3.region: "));
  }

  @Test
  void theSignatureCoversTheRequestAndNothingShowsTheSecret() throws Exception {
    String secret = "secret-0123456789";
    S3Access access = S3Access.builder().endpoint(URI.create("http://127.0.0.1:9000")).region("eu-west-1")
        .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", secret))).build();
    var headers = new S3RequestSigner(access).signGet(URI.create("http://127.0.0.1:9000/music/a%20b/x"));
    String auth = headers.get("Authorization").get(0);
    assertTrue(auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), auth);
    assertTrue(auth.contains("/eu-west-1/s3/aws4_request"), auth);
    assertTrue(auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date"), auth);
    assertEquals(S3RequestSigner.EMPTY_SHA256, headers.get("x-amz-content-sha256").get(0));
    assertFalse(headers.containsKey("Host"));
    assertFalse(headers.toString().contains(secret));
    assertFalse(access.toString().contains(secret) || access.toString().contains("AKIDEXAMPLE"));
  }
}
