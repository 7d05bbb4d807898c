package dev.chorus.node.internal.core;

import static dev.chorus.node.internal.core.SwarmCoreTest.peer;
import static dev.chorus.node.internal.core.SwarmCoreTest.track;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NeighbourTest {
  /** The definition, chunk by chunk: a chunk below the count that it holds and this node does not. */
  private static boolean holdsSomeOfByDefinition(BitSet theirs, BitSet held, int chunkCount) {
    for (int i = 0; i < chunkCount; i++) {
      if (theirs.get(i) && !held.get(i)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aPartialHoldingHoldsSomeOfADownloadExactlyWhenItHasAChunkNotHeld() {
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 20_000; round++) {
      int chunkCount = 1 + random.nextInt(300);
      BitSet theirs = runs(random, chunkCount + 20);
      BitSet held = runs(random, chunkCount + 20);
      Neighbour n = new Neighbour(peer(1), 0, new TrackHolders());
      n.setHolding(track(1), false, theirs);
      assertEquals(holdsSomeOfByDefinition(theirs, held, chunkCount), n.holdsSomeOf(track(1), held, chunkCount),
          "round " + round + ": theirs " + theirs + ", held " + held + ", " + chunkCount + " chunks");
    }
  }

  /** Runs of set and clear bits, as downloads make them, sometimes dense and sometimes sparse. */
  private static BitSet runs(SplittableRandom random, int length) {
    BitSet b = new BitSet();
    double density = random.nextDouble();
    for (int i = 0; i < length; ) {
      int run = 1 + random.nextInt(40);
      if (random.nextDouble() < density) {
        b.set(i, Math.min(length, i + run));
      }
      i += run;
    }
    return b;
  }
}
