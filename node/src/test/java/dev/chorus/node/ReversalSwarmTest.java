package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.inspect.NeighbourView;
import dev.chorus.node.internal.inspect.NodeInspection;
import dev.chorus.testing.Await;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection reversal between real nodes on loopback (the real NAT is in {@code
 * NatTraversalNetnsTest}): a holder that accepts no connections is indexed by the tracker as
 * reachable only by reversal, and a listener that accepts connections gets the track from it by
 * asking the tracker to have it connect; a listener that also accepts none falls back to the CDN,
 * and so does one with reversal switched off.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReversalSwarmTest {
  static final int TRACK_BYTES = 2_400_000;

  @TempDir Path dir;
  LocalSwarm swarm;

  @AfterEach
  void stop() {
    if (swarm != null) {
      swarm.close();
    }
  }

  private long bytesFrom(ChorusNode listener, ChorusNode holder) throws Exception {
    for (NeighbourView n : NodeInspection.of(listener).view(Runnable::run).get(30, TimeUnit.SECONDS).neighbours()) {
      if (n.id().equals(holder.nodeId())) {
        return n.bytes().received();
      }
    }
    return 0;
  }

  @Test
  void aHolderWithoutIncomingConnectionsServesAReachableListenerByReversal() throws Exception {
    swarm = new LocalSwarm(dir, 1, TRACK_BYTES);
    LocalSwarm.Track track = swarm.tracks.get(0);
    ChorusNode holder = swarm.startNode("holder", b -> b.acceptIncoming(false));
    assertArrayEquals(track.content(), LocalSwarm.play(holder, track.id()));
    Await.until(() -> holder.isCached(track.id()), "the holder caches the track");

    ChorusNode noIncoming = swarm.startNode("no-incoming", b -> b.acceptIncoming(false));
    ChorusNode noReversal = swarm.startNode("no-reversal", b -> b.reversal(false));
    ChorusNode listener = swarm.startNode("listener");
    // Before its tracker connection is up a node's lookups fail and it plays from the CDN alone.
    Await.until(listener::isTrackerConnected, "the listener connects to the tracker");
    assertArrayEquals(track.content(), LocalSwarm.play(listener, track.id()));
    NodeStats s = listener.stats();
    long fromHolder = bytesFrom(listener, holder);
    System.out.printf("reversal on loopback: %d bytes from the holder, %d from the CDN%n", fromHolder, s.bytesFromCdn());
    assertTrue(fromHolder > 0, "the listener got bytes from the holder: " + s);
    assertEquals(fromHolder, s.bytesFromPeers());
    assertTrue(holder.stats().bytesUploaded() >= fromHolder);

    // Neither can use the holder: one cannot be dialled either (punching is not built), one does not ask.
    for (ChorusNode n : new ChorusNode[] {noIncoming, noReversal}) {
      assertArrayEquals(track.content(), LocalSwarm.play(n, track.id()));
      assertEquals(0, bytesFrom(n, holder), "no bytes from the unreachable holder");
    }
    assertEquals(0, noIncoming.stats().bytesFromPeers() - bytesFrom(noIncoming, listener),
        "what the node that accepts nothing got from peers came from the reachable listener only");
  }
}
