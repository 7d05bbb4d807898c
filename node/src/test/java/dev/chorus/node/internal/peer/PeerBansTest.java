package dev.chorus.node.internal.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.protocol.NodeId;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeerBansTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final PeerBans bans = new PeerBans(clock::get);

  private static NodeId node(int n) {
    byte[] key = new byte[32];
    key[0] = (byte) n;
    key[1] = (byte) (n >> 8);
    return NodeId.ofStaticKey(key);
  }

  private static InetAddress ip(int n) throws Exception {
    return InetAddress.getByAddress(new byte[] {10, 0, (byte) (n >> 8), (byte) n});
  }

  @Test
  void aBanLastsItsDurationAndThenEnds() {
    assertNull(bans.ban(node(1), 500), "no address known");
    assertEquals(500, bans.leftNanos(node(1)));
    assertEquals(0, bans.leftNanos(node(2)));
    clock.addAndGet(499);
    assertEquals(1, bans.leftNanos(node(1)));
    clock.addAndGet(1);
    assertEquals(0, bans.leftNanos(node(1)));
    assertEquals(0, bans.size(), "an expired ban is dropped when looked up");
  }

  @Test
  void theAddressLastLinkedFromIsBannedToo() throws Exception {
    bans.linkedFrom(node(1), ip(1));
    bans.linkedFrom(node(1), ip(2));
    assertEquals(ip(2), bans.ban(node(1), 500));
    assertEquals(500, bans.leftNanos(ip(2)));
    assertEquals(0, bans.leftNanos(ip(1)), "only the last address");
    clock.addAndGet(500);
    assertEquals(0, bans.leftNanos(ip(2)));
  }

  @Test
  void onlyTheMostRecentlyLinkedAddressesAreRemembered() throws Exception {
    for (int i = 0; i <= PeerBans.REMEMBERED_ADDRESSES; i++) {
      bans.linkedFrom(node(i), ip(i));
    }
    assertNull(bans.ban(node(0), 500), "the eldest is forgotten");
    assertEquals(ip(1), bans.ban(node(1), 500));
  }

  @Test
  void expiredBansAreSweptWhenTheTableIsFull() {
    for (int i = 0; i < PeerBans.SWEEP_SIZE; i++) {
      bans.ban(node(i), 10);
    }
    clock.addAndGet(10);
    bans.ban(node(PeerBans.SWEEP_SIZE), 10);
    assertEquals(1, bans.size());
    assertEquals(10, bans.leftNanos(node(PeerBans.SWEEP_SIZE)));
  }
}
