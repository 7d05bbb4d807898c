package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeysTest {
  @Test
  void slotIsRedisClusterSlot() {
    Random random = new Random(1);
    for (int i = 0; i < 2000; i++) {
      byte[] key = new byte[random.nextInt(40)];
      for (int j = 0; j < key.length; j++) {
        key[j] = (byte) "ab{}:x\u00ff0".charAt(random.nextInt(8));
      }
      assertEquals(SlotHash.getSlot(key), Keys.slot(key), new String(key, StandardCharsets.ISO_8859_1));
    }
    // CRC16/XMODEM of "123456789" is 0x31C3 (the Redis Cluster specification's check value).
    assertEquals(0x31c3, Keys.slot("123456789".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void shardTagsSpreadEvenlyOverTheSlots() {
    Set<String> tags = new HashSet<>();
    for (int s = 0; s < Keys.SHARDS; s++) {
      assertEquals(s * (Keys.SLOTS / Keys.SHARDS), Keys.slot(Keys.tag(s)), "shard " + s);
      assertTrue(tags.add(Keys.tagName(s)));
    }
  }

  @Test
  void theLayoutIsPinned() {
    // Changing these moves every key: a new layout, not a refactoring.
    assertEquals(256, Keys.SHARDS);
    assertEquals("chorus:{" + Keys.tagName(0) + "}:", new String(Keys.tag(0), StandardCharsets.US_ASCII));
    StringBuilder first = new StringBuilder();
    for (int s = 0; s < 8; s++) {
      first.append(Keys.tagName(s)).append(' ');
    }
    assertEquals(PINNED_FIRST_TAGS, first.toString().strip());
  }

  private static final String PINNED_FIRST_TAGS = "3560 11423 40821 41742 2464 10527 5469 12258";

  @Test
  void aTracksKeysAndItsShardsRegistriesShareOneSlot() {
    for (int i = 0; i < 500; i++) {
      TrackId t = track(i);
      int shard = Keys.shard(t);
      int slot = Keys.slot(Keys.trackEntries(t));
      assertEquals(slot, Keys.slot(Keys.trackHoldings(t)));
      assertEquals(slot, Keys.slot(Keys.shardTracks(shard)));
      assertEquals(slot, Keys.slot(Keys.shardEntries(shard)));
      assertEquals(slot, Keys.slot(Keys.shardPeers(shard)));
      NodeId n = nodeId(i);
      int peerSlot = Keys.slot(Keys.peerInfo(n));
      assertEquals(peerSlot, Keys.slot(Keys.peerTracks(n)));
      assertEquals(peerSlot, Keys.slot(Keys.shardPeers(Keys.shard(n))));
    }
  }

  @Test
  void keysEndWithTheIdsOwnBytes() {
    // Since layout 2: the 32 bytes of the id, not 64 hex digits (layout 3 changed values only).
    assertEquals("4", Keys.LAYOUT);
    TrackId t = track(1);
    assertArrayEquals(concat("chorus:{" + Keys.tagName(Keys.shard(t)) + "}:t:", t.bytes()), Keys.trackEntries(t));
    assertArrayEquals(concat("chorus:{" + Keys.tagName(Keys.shard(t)) + "}:h:", t.bytes()), Keys.trackHoldings(t));
    NodeId n = nodeId(1);
    assertArrayEquals(concat("chorus:{" + Keys.tagName(Keys.shard(n)) + "}:pt:", n.bytes()), Keys.peerTracks(n));
    assertArrayEquals(concat("chorus:{" + Keys.tagName(Keys.shard(n)) + "}:p:", n.bytes()), Keys.peerInfo(n));
    byte[] inside = new byte[40];
    System.arraycopy(n.bytes(), 0, inside, 5, 32);
    assertArrayEquals(Keys.peerInfo(n), Keys.peerInfo(inside, 5));
  }

  @Test
  void braceBytesInAnIdDoNotMoveItsKeys() {
    // The first '{' and the next '}' are the shard's tag, before the id: an id's bytes never count.
    byte[] braces = new byte[32];
    for (int i = 0; i < 32; i++) {
      braces[i] = (byte) (i % 2 == 0 ? '}' : '{');
    }
    NodeId n = NodeId.fromBytes(braces);
    assertEquals(Keys.slot(Keys.tag(Keys.shard(n))), Keys.slot(Keys.peerInfo(n)));
    assertEquals(SlotHash.getSlot(Keys.peerInfo(n)), Keys.slot(Keys.peerInfo(n)));
  }

  private static byte[] concat(String prefix, byte[] id) {
    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(p, p.length + id.length);
    System.arraycopy(id, 0, out, p.length, id.length);
    return out;
  }
}
