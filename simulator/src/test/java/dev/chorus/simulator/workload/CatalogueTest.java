package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CatalogueTest {
  @Test
  void albumsWrapAndTheLastAlbumMayBeShort() {
    Catalogue c = new Catalogue(4, 160, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    assertEquals(3, c.albums());
    assertEquals(1, c.nextInAlbum(0));
    assertEquals(0, c.nextInAlbum(3));
    assertEquals(4, c.nextInAlbum(7));
    assertEquals(9, c.nextInAlbum(8));
    assertEquals(8, c.nextInAlbum(9));
    assertEquals(2, c.albumLength(2));
    assertEquals(2, c.albumOf(9));
  }

  @Test
  void durationsAreLognormalAroundTheMedianAndClamped() {
    WorkloadConfig config = WorkloadConfig.builder().catalogueTracks(200_000).build();
    Catalogue c = new Catalogue(config, new SplittableRandom(1));
    int[] d = new int[c.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = c.durationMillis(i);
      assertTrue(d[i] >= 30_000 && d[i] <= 1_200_000);
    }
    Arrays.sort(d);
    assertEquals(230_000, d[d.length / 2], 2_000);
    // 160 kbit/s = 20,000 bytes a second: a 230 s track is 4.6 MB ("5 minutes, 5 MB")
    assertEquals(4_600_000, c.bytesFor(230_000));
    assertEquals(c.bytesFor(c.durationMillis(5)), c.sizeBytes(5));
  }
}
