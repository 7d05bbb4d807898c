package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IdsTest {
  private static final int[] VALUES = {0, 1, 255, 256, 65_535, 999_999, Integer.MAX_VALUE, -1};

  @Test
  void tracksMapBackToTheirIndexes() {
    for (int v : VALUES) {
      assertEquals(v, Ids.track(Ids.track(v)));
    }
  }

  @Test
  void hostsMapBackFromTheirNodeIdsAndStaticKeys() {
    for (int v : VALUES) {
      assertEquals(v, Ids.host(Ids.node(v)));
      assertEquals(v, Ids.hostOfKey(Ids.staticKey(v)));
    }
  }
}
