package dev.chorus.tracker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisTargetTest {
  @Test
  void aSingleServer() {
    RedisTarget t = RedisTarget.parse("redis://10.0.0.5:6380/2");
    assertFalse(t.cluster);
    RedisURI u = t.uris.get(0);
    assertEquals("10.0.0.5", u.getHost());
    assertEquals(6380, u.getPort());
    assertEquals(2, u.getDatabase());
    assertEquals(RedisTarget.DEFAULT_TIMEOUT, u.getTimeout());
  }

  @Test
  void optionsAndTls() {
    RedisTarget t = RedisTarget.parse("rediss://:secret@cache.example:6390?timeout=2s");
    RedisURI u = t.uris.get(0);
    assertTrue(u.isSsl());
    assertEquals("secret", new String(credentials(u).getPassword()));
    assertEquals(Duration.ofSeconds(2), u.getTimeout());
    assertEquals("rediss://***@cache.example:6390?timeout=2s", t.redacted);
  }

  @Test
  void aCluster() {
    RedisTarget t = RedisTarget.parse("redis-cluster://user:pw@h1:7000,h2:7001, h3:7002?timeout=3s");
    assertTrue(t.cluster);
    assertEquals(3, t.uris.size());
    assertEquals("h2", t.uris.get(1).getHost());
    assertEquals(7002, t.uris.get(2).getPort());
    for (RedisURI u : t.uris) {
      assertEquals("user", credentials(u).getUsername());
      assertEquals("pw", new String(credentials(u).getPassword()));
      assertEquals(Duration.ofSeconds(3), u.getTimeout());
      assertFalse(u.isSsl());
    }
    assertEquals("redis-cluster://***@h1:7000,h2:7001, h3:7002?timeout=3s", t.redacted);
    assertTrue(RedisTarget.parse("rediss-cluster://h1:7000").uris.get(0).isSsl());
    assertEquals(RedisTarget.DEFAULT_TIMEOUT, RedisTarget.parse("redis-cluster://h1:7000").uris.get(0).getTimeout());
  }

  private static RedisCredentials credentials(RedisURI u) {
    return ((RedisCredentialsProvider.ImmediateRedisCredentialsProvider) u.getCredentialsProvider()).resolveCredentialsNow();
  }

  @Test
  void badUrisSayWhatIsAccepted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisTarget.parse("http://:hunter2@h:1"));
    assertTrue(e.getMessage().contains("redis-cluster://"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RedisTarget.parse("localhost:6379"));
    assertThrows(IllegalArgumentException.class, () -> RedisTarget.parse("redis-cluster://h1:7000,,h2:7001"));
    assertThrows(IllegalArgumentException.class, () -> RedisTarget.parse("redis-cluster://h1:7000/3"));
  }
}
