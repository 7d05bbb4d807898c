package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node's side of the tracker's bounded state: a real in-process tracker that indexes at most
 * three holdings per node key answers a five-track cache with {@code LIMIT_EXCEEDED}.
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrackerLimitTest {
  private static final long WAIT_SECONDS = 20;

  private final NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(new SecureRandom());
  private final EventLoopGroup group = new NioEventLoopGroup(2);
  private PeerIndex index;
  private TrackerServer server;
  private TrackerClient holder;
  private TrackerClient asker;

  @AfterEach
  void tearDown() throws Exception {
    for (TrackerClient c : new TrackerClient[] {holder, asker}) {
      if (c != null) {
        c.close();
      }
    }
    if (server != null) {
      server.close();
    }
    if (index != null) {
      index.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void aRefusedAnnounceIsCountedLoggedAndNotResentEarlyAndTheConnectionGoesOn() throws Exception {
    index = InMemoryPeerIndex.create(PeerIndexConfig.builder().maxHoldingsPerPeer(3).build());
    server = TrackerServer.start(TrackerConfig.builder(trackerKey)
        .listenAddress(new InetSocketAddress("127.0.0.1", 0)).ioThreads(1).shutdownGrace(Duration.ofSeconds(2))
        .build(), index, TrackerListener.NOOP);
    TrackerClientTest.TestSource cache = new TrackerClientTest.TestSource();
    for (int i = 0; i < 5; i++) {
      cache.put(Holding.complete(TrackerClientTest.track(i), 100));
    }
    Counting events = new Counting();
    // Before this rule, a refusal brought a full re-announce after the maximum backoff, 50 ms here.
    holder = client(NoiseKeyPair.generateX25519(new SecureRandom()), 4101, cache, events);

    RecordingClientListener.Event refused = events.recorded.await("refused", ErrorCode.LIMIT_EXCEEDED);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, refused.code);
    RecordingClientListener askerEvents = new RecordingClientListener();
    asker = client(NoiseKeyPair.generateX25519(new SecureRandom()), 0, new TrackerClientTest.TestSource(),
        askerEvents);
    askerEvents.await("connected");
    int found = 0;
    for (int i = 0; i < 5; i++) {
      found += asker.lookup(TrackerClientTest.track(i)).get(WAIT_SECONDS, TimeUnit.SECONDS).size();
    }
    assertEquals(3, found, "the tracker indexed what fitted under its cap");

    // 40 times the maximum backoff: the old rule would have re-announced about 40 times by now.
    TimeUnit.SECONDS.sleep(2);
    assertEquals(1, events.fullAnnounces.get(), "no full announce before the regular refresh");
    assertEquals(1, events.refusals.get());
    assertTrue(holder.isConnected(), "the connection stays");
    assertEquals(List.of(), holder.lookup(TrackerClientTest.track(0)).get(WAIT_SECONDS, TimeUnit.SECONDS),
        "the refused node's own lookups are still answered (it is left out of its own answers)");
  }

  @Test
  void aTrackerThatTakesFewerTracksPerMessageGetsSmallerMessagesAfterItsGoodbye() throws Exception {
    index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
    server = TrackerServer.start(TrackerConfig.builder(trackerKey)
        .listenAddress(new InetSocketAddress("127.0.0.1", 0)).ioThreads(1).shutdownGrace(Duration.ofSeconds(2))
        .maxTracksPerAnnounce(3).build(), index, TrackerListener.NOOP);
    TrackerClientTest.TestSource cache = new TrackerClientTest.TestSource();
    for (int i = 0; i < 5; i++) {
      cache.put(Holding.complete(TrackerClientTest.track(i), 100));
    }
    RecordingClientListener events = new RecordingClientListener();
    // 16 tracks per message by this node's configuration; the tracker takes 3: 16 → 8 → 4 → 2.
    holder = client(NoiseKeyPair.generateX25519(new SecureRandom()), 4101, cache, events, 16);
    assertEquals(ErrorCode.LIMIT_EXCEEDED, events.await("disconnected", ErrorCode.LIMIT_EXCEEDED).code);
    RecordingClientListener askerEvents = new RecordingClientListener();
    asker = client(NoiseKeyPair.generateX25519(new SecureRandom()), 0, new TrackerClientTest.TestSource(),
        askerEvents);
    askerEvents.await("connected");
    dev.chorus.testing.Await.until(() -> {
      int found = 0;
      for (int i = 0; i < 5; i++) {
        try {
          found += asker.lookup(TrackerClientTest.track(i)).get(WAIT_SECONDS, TimeUnit.SECONDS).size();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          return false;
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      return found == 5;
    }, "the whole cache indexed, in messages the tracker takes");
    assertTrue(holder.isConnected(), "the node stays connected once its messages fit");
  }

  private TrackerClient client(NoiseKeyPair key, int listenPort, HoldingsSource source, TrackerClientListener l) {
    return client(key, listenPort, source, l, 1000);
  }

  private TrackerClient client(NoiseKeyPair key, int listenPort, HoldingsSource source, TrackerClientListener l,
      int tracksPerAnnounce) {
    return TrackerClient.start(TrackerClientConfig.builder(key)
        .maxTracksPerAnnounce(tracksPerAnnounce)
        .tracker(TrackerEndpoint.of(trackerKey.publicKey(), "127.0.0.1", server.address().getPort()))
        .listenPort(listenPort)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(50))
        .refreshInterval(Duration.ofMinutes(10))
        .deltaDelay(Duration.ZERO)
        .build(), group, source, l, new Random(3));
  }

  /** Counts full announces and refusals, and records the events to await them. */
  private static final class Counting implements TrackerClientListener {
    final RecordingClientListener recorded = new RecordingClientListener();
    final AtomicInteger fullAnnounces = new AtomicInteger();
    final AtomicInteger refusals = new AtomicInteger();

    @Override
    public void announceSent(int tracks, boolean full) {
      if (full) {
        fullAnnounces.incrementAndGet();
      }
      recorded.announceSent(tracks, full);
    }

    @Override
    public void requestRefused(ErrorCode code, String detail) {
      refusals.incrementAndGet();
      recorded.requestRefused(code, detail);
    }
  }
}
