package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.ipv6;
import static dev.chorus.tracker.index.IndexTestData.staticKey;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.protocol.VivaldiCoordinate;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The copies PeerInfo keeps for ranking agree with what they are copied from. */
class PeerInfoTest {
  private static VivaldiCoordinate randomCoordinate(SplittableRandom r) {
    float[] position = new float[2 + r.nextInt(7)];
    for (int i = 0; i < position.length; i++) {
      position[i] = (float) r.nextDouble(-500, 500);
    }
    return VivaldiCoordinate.of(position, (float) r.nextDouble(0, 50), (float) r.nextDouble(0, 1.5));
  }

  @Test
  void inlineRttIsExactlyTheCoordinatesRtt() {
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 20_000; i++) {
      VivaldiCoordinate asker = randomCoordinate(r);
      VivaldiCoordinate at = randomCoordinate(r);
      PeerInfo peer = PeerInfo.of(staticKey(1), ipv4(10, 0, 0, 1), 1, at, "");
      assertEquals(asker.predictedRttMillis(at), peer.predictedRttMillisFrom(asker), asker + " to " + at);
    }
  }

  @Test
  void derivedFieldsMatch() {
    PeerInfo v4 = PeerInfo.of(staticKey(7), ipv4(192, 0, 2, 99), 1, VivaldiCoordinate.ORIGIN, "eu-west");
    assertEquals(v4.prefix().packed(), v4.packedPrefix());
    assertEquals(PeerInfo.head(v4.nodeId()), v4.nodeIdHead());
    assertEquals("eu-west".hashCode(), v4.regionHash());
    PeerInfo v6 = PeerInfo.of(staticKey(8), ipv6("2001:db8:5::1"), 1, VivaldiCoordinate.ORIGIN, "");
    assertEquals(NetworkPrefix.of(ipv6("2001:db8:5:ffff::2")).packed(), v6.packedPrefix());
  }
}
