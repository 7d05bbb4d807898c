package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class OriginConfigTest {
  static String error(UnaryOperator<OriginConfig.Builder> setup) {
    return assertThrows(IllegalArgumentException.class,
        () -> setup.apply(OriginConfig.builder().addBaseUri("http://127.0.0.1:1/")).build()).getMessage();
  }

  @Test
  void defaults() {
    OriginConfig c = OriginConfig.builder().addBaseUri("https://cdn.example.com/catalog").build();
    assertEquals(List.of(URI.create("https://cdn.example.com/catalog/")), c.baseUris());
    assertEquals(Duration.ofSeconds(2), c.connectTimeout());
    assertEquals(Duration.ofSeconds(5), c.requestTimeout());
    assertEquals(4, c.maxAttempts());
    assertEquals(Duration.ofMillis(100), c.initialBackoff());
    assertEquals(Duration.ofSeconds(2), c.maxBackoff());
    assertEquals(16, c.maxConcurrentRequests());
    assertEquals(16 * 1024 * 1024, c.maxRangeBytes());
  }

  @Test
  void normalizesBasesAndKeepsTheirQuery() {
    OriginConfig c = OriginConfig.builder()
        .addBaseUri("HTTP://Cdn.Example.com:8080")
        .addBaseUri("https://bucket.s3.amazonaws.com/catalog?X-Amz-Security-Token=a%2Fb&sig=xyz")
        .build();
    assertEquals(URI.create("http://Cdn.Example.com:8080/"), c.baseUris().get(0));
    assertEquals(URI.create("https://bucket.s3.amazonaws.com/catalog/?X-Amz-Security-Token=a%2Fb&sig=xyz"),
        c.baseUris().get(1));
    assertFalse(c.toString().contains("xyz"), "toString must not print credentials: " + c);
  }

  @Test
  void errorsNameTheKey() {
    assertEquals("origin.baseUris: at least one origin base URL is required",
        assertThrows(IllegalArgumentException.class, () -> OriginConfig.builder().build()).getMessage());
    assertEquals("origin.baseUris[1]: scheme must be http, https or s3, was ftp",
        error(b -> b.addBaseUri("ftp://example.com/x")));
    assertEquals("origin.baseUris[1]: scheme must be http, https or s3, was none",
        error(b -> b.addBaseUri("cdn.example.com/catalog")));
    assertTrue(error(b -> b.addBaseUri("http://")).startsWith("origin.baseUris[1]: not a URL"));
    assertTrue(error(b -> b.addBaseUri("s3://Bad_Bucket/x")).startsWith("origin.baseUris[1]: 'Bad_Bucket' is not a valid bucket"));
    assertTrue(error(b -> b.addBaseUri("s3://music/x?token=1")).startsWith("origin.baseUris[1]: an s3:// location has no query"));
    assertTrue(error(b -> b.addBaseUri("http://user:pw@example.com/")).startsWith("origin.baseUris[1]: user info"));
    assertTrue(error(b -> b.addBaseUri("http://example.com/#frag")).startsWith("origin.baseUris[1]: must not have a fragment"));
    assertTrue(error(b -> b.addBaseUri("http://127.0.0.1:1")).startsWith("origin.baseUris[1]: duplicate"));
    assertEquals("origin.connectTimeout: must be positive, was PT0S", error(b -> b.connectTimeout(Duration.ZERO)));
    assertEquals("origin.requestTimeout: must be positive, was PT-1S",
        error(b -> b.requestTimeout(Duration.ofSeconds(-1))));
    assertEquals("origin.maxAttempts: must be at least 1, was 0", error(b -> b.maxAttempts(0)));
    assertEquals("origin.maxConcurrentRequests: must be at least 1, was 0", error(b -> b.maxConcurrentRequests(0)));
    assertEquals("origin.maxRangeBytes: must be at least 1, was -5", error(b -> b.maxRangeBytes(-5)));
    assertTrue(error(b -> b.initialBackoff(Duration.ofSeconds(3))).startsWith("origin.maxBackoff: must be at least"));
    assertTrue(error(b -> b.maxBackoff(Duration.ofDays(2))).startsWith("origin.maxBackoff: must be at most one day"));
  }
}
