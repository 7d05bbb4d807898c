package dev.chorus.demo;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.NodeListener;
import dev.chorus.node.NodeStats;
import dev.chorus.node.internal.store.ChunkStoreConfig;
import dev.chorus.node.internal.store.ChunkStoreListener;
import dev.chorus.node.internal.store.RocksDbChunkStore;
import dev.chorus.node.stream.StreamServer;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.testing.process.NginxServer;
import dev.chorus.testing.process.Programs;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A chaos soak of real nodes (issue 17, item 4): a generated catalog served by a real nginx, a
 * real tracker, and {@link ChaosOptions#nodes()} nodes with RocksDB caches, a {@link
 * VerifyingPlayer} on each node's stream endpoint, while faults happen on a fixed schedule
 * (fractions of the run): a corrupting peer joins (10%) and comes back with a fresh key (45%);
 * child nodes are SIGKILLed and restarted on the same cache 3 s later (20%, 50%, 75%); the tracker
 * is stopped and started again on its port (30%); one child node is frozen with SIGSTOP for {@link
 * ChaosOptions#stall()} (35%); nginx is stopped for {@link ChaosOptions#originOutage()} (55%).
 * Node 1's cache lives on a size-limited tmpfs that fills up. At the end every child node is
 * SIGKILLed once more and its cache reopened and read back, every chunk verified.
 *
 * <p>Runs as root (for the tmpfs mount); elsewhere the full-disk node is left out and said so,
 * unless {@code CI=true}, where that fails.
 */
public final class ChaosSoak {
  private static final String LOOPBACK = "127.0.0.1";
  /** The corrupting peer's own loopback address: a ban by address must hit only it. */
  private static final String CORRUPT_ADDRESS = "127.0.0.66";
  private static final long RESTART_DELAY_SECONDS = 3;

  private ChaosSoak() {}

  /** Runs a soak in a temporary directory, deleted afterwards; progress goes to {@code out}. */
  public static ChaosReport run(ChaosOptions o, PrintStream out) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("chorus-chaos-");
    try {
      return new Run(o, dir, out).run();
    } finally {
      Demo.deleteRecursively(dir);
    }
  }

  private static final class Run {
    private final ChaosOptions o;
    private final Path dir;
    private final PrintStream out;
    private final long began = System.nanoTime();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<TrackId, byte[]> content = new HashMap<>();
    private final AtomicLong bans = new AtomicLong();
    private final AtomicLong diskFull = new AtomicLong();
    private final AtomicLong diskFullAt = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong kills = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong trackerRestarts = new AtomicLong();
    private final AtomicLong corruptChunks = new AtomicLong();
    private final List<ChorusNode> nodes = new ArrayList<>();
    private final List<ChildNode> children = new ArrayList<>();
    private final AtomicReference<NginxServer> origin = new AtomicReference<>();
    private final AtomicReference<TrackerServer> tracker = new AtomicReference<>();
    private final AtomicReference<CorruptingPeer> corrupting = new AtomicReference<>();
    private final NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(new SecureRandom());
    private int trackerPort;
    private Path nginx;
    private Path catalog;
    private Tmpfs tmpfs;

    Run(ChaosOptions o, Path dir, PrintStream out) {
      this.o = o;
      this.dir = dir;
      this.out = out;
    }

    ChaosReport run() throws IOException, InterruptedException {
      EventLoopGroup group = new NioEventLoopGroup(1);
      ScheduledExecutorService chaos = Executors.newScheduledThreadPool(2);
      try {
        return soak(group, chaos);
      } finally {
        chaos.shutdownNow();
        Demo.closeInParallel(closeables.stream().filter(c -> c instanceof StreamServer).toList());
        Demo.closeInParallel(closeables.stream().filter(c -> !(c instanceof StreamServer)).toList());
        closeQuietly(corrupting.get());
        closeQuietly(tracker.get());
        closeQuietly(origin.get());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (tmpfs != null) {
          tmpfs.close();
        }
      }
    }

    private ChaosReport soak(EventLoopGroup group, ScheduledExecutorService chaos)
        throws IOException, InterruptedException {
      say("chaos soak: %d nodes (%d child JVMs), %d tracks, %ds at %s× real time, seed %d", o.nodes(),
          o.childNodes(), o.tracks(), o.duration().toSeconds(), o.speed(), o.seed());
      PublisherKeyPair publisher = DemoCatalog.publisherKey(o.seed());
      catalog = dir.resolve("catalog");
      List<DemoCatalog.Track> tracks = DemoCatalog.publish(catalog, o.tracks(), o.seed(), publisher);
      List<TrackManifest> manifests = tracks.stream().map(DemoCatalog.Track::manifest).toList();
      for (TrackManifest m : manifests) {
        content.put(m.trackId(), Files.readAllBytes(catalog.resolve(m.originKey())));
      }
      nginx = Programs.require(NginxServer.PROGRAM, NginxServer.DEBIAN_PACKAGE);
      origin.set(NginxServer.start(nginx, catalog));
      int originPort = origin.get().port();
      trackerPort = FreePorts.loopback();
      startTracker();
      String trackerSpec = java.util.HexFormat.of().formatHex(trackerKey.publicKey()) + "@" + LOOPBACK + ":"
          + trackerPort;
      say("origin nginx %s, tracker %s", origin.get().baseUri(), trackerSpec);
      tmpfs = Tmpfs.mount(dir.resolve("tmpfs"), o.tmpfsBytes(), out);

      // In-process nodes: 1 .. nodes - childNodes; node 1 on the tmpfs when there is one.
      List<String> baseUrls = new ArrayList<>();
      List<java.util.function.IntSupplier> killCounters = new ArrayList<>();
      int inProcess = o.nodes() - o.childNodes();
      for (int i = 1; i <= inProcess; i++) {
        boolean onTmpfs = i == 1 && tmpfs != null;
        Path cache = onTmpfs ? tmpfs.dir() : Files.createDirectories(dir.resolve(String.format(Locale.ROOT,
            "node-%02d", i)));
        ChorusNode node = ChorusNode.start(NodeConfig.builder()
            .origin(origin.get().baseUri())
            .tracker(trackerSpec)
            .bindHost(LOOPBACK)
            .cacheDirectory(cache)
            .cacheCapacityBytes(onTmpfs ? o.tmpfsBytes() * 8 : o.cacheBytes())
            .trustedPublisher(publisher.publicKey())
            .telemetry(false)
            .listener(listener(onTmpfs))
            .build());
        closeables.add(node);
        nodes.add(node);
        StreamServer stream = StreamServer.start(node);
        closeables.add(stream);
        baseUrls.add("http://" + LOOPBACK + ":" + stream.port() + "/");
        killCounters.add(null);
      }
      String classpath = System.getProperty("java.class.path");
      List<String> nodeArgs = List.of("--origin", "http://" + LOOPBACK + ":" + originPort + "/", "--tracker",
          trackerSpec, "--trust", publisher.publicKey().toText(), "--cache-size", String.valueOf(o.cacheBytes()),
          "--no-telemetry");
      for (int i = inProcess + 1; i <= o.nodes(); i++) {
        ChildNode child = new ChildNode(i, Files.createDirectories(dir.resolve(String.format(Locale.ROOT,
            "node-%02d", i))), classpath, nodeArgs, FreePorts.loopback(), FreePorts.loopback(), FreePorts.loopback());
        closeables.add(child);
        children.add(child);
      }
      startInParallel(children);
      for (ChildNode child : children) {
        baseUrls.add("http://" + LOOPBACK + ":" + child.streamPort + "/");
        killCounters.add(child::lifecycleChanges);
      }
      say("started %d nodes in %ds; playing...", o.nodes(), (System.nanoTime() - began) / 1_000_000_000L);

      long start = System.nanoTime();
      long duration = o.duration().toNanos();
      long end = start + duration;
      long stagger = Math.min(TimeUnit.SECONDS.toNanos(2), duration / (4L * o.nodes()));
      Zipf popularity = new Zipf(tracks.size(), Demo.ZIPF_EXPONENT);
      SplittableRandom seeds = new SplittableRandom(o.seed());
      List<VerifyingPlayer> players = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < o.nodes(); i++) {
        VerifyingPlayer p = new VerifyingPlayer(i + 1, baseUrls.get(i), tracks, content, popularity, seeds.split(),
            o.speed(), start + i * stagger, end, killCounters.get(i));
        players.add(p);
        Thread t = new Thread(p, "chorus-chaos-player-" + (i + 1));
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      schedule(chaos, duration, group, manifests);
      while (System.nanoTime() < end) {
        children.forEach(ChildNode::scrape);
        TimeUnit.SECONDS.sleep(2);
      }
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(VerifyingPlayer.READ_TIMEOUT_MILLIS / 1000 + 10));
      }
      chaos.shutdownNow();
      chaos.awaitTermination(30, TimeUnit.SECONDS);
      long elapsed = System.nanoTime() - start;
      children.forEach(ChildNode::scrape);
      say("run over after %ds; killing the child nodes and reading their caches back", elapsed / 1_000_000_000L);

      long peers = 0;
      long cdn = 0;
      for (ChorusNode n : nodes) {
        NodeStats s = n.stats();
        peers += s.bytesFromPeers();
        cdn += s.bytesFromCdn();
      }
      for (ChildNode c : children) {
        peers += c.counter("chorus_node_bytes_received_bytes_total:peers");
        cdn += c.counter("chorus_node_bytes_received_bytes_total:cdn");
      }
      long[] cacheCheck = new long[3];
      for (ChildNode c : children) {
        c.close(); // SIGKILL
        kills.incrementAndGet();
        checkCache(c, cacheCheck);
      }
      Map<String, Long> outcomes = new LinkedHashMap<>();
      long unverified = 0;
      long played = 0;
      long started = 0;
      long stutters = 0;
      List<String> samples = new ArrayList<>();
      for (VerifyingPlayer p : players) {
        for (VerifyingPlayer.Outcome oc : VerifyingPlayer.Outcome.values()) {
          outcomes.merge(oc.name(), p.outcome(oc), Long::sum);
        }
        unverified += p.unverifiedBytes.get();
        played += p.bytesRead.get();
        started += p.playsStarted.get();
        stutters += p.stutters.get();
        samples.addAll(p.errorSamples);
      }
      long afterFull = tmpfs == null ? -1
          : players.get(0).completedAt.stream().filter(t -> t > diskFullAt.get()).count();
      CorruptingPeer liar = corrupting.get();
      return new ChaosReport(outcomes, unverified, played, started, stutters,
          peers + cdn == 0 ? 0 : (double) peers / (peers + cdn), kills.get(), restarts.get(), trackerRestarts.get(),
          o.originOutage().toSeconds(), o.stall().toSeconds(), corruptChunks.get(), bans.get(),
          tmpfs == null ? -1 : diskFull.get(), afterFull, cacheCheck[0], cacheCheck[1], cacheCheck[2],
          elapsed / 1_000_000_000L, firstOfEachKind(samples));
    }

    /** The faults, at fixed fractions of the run. */
    private void schedule(ScheduledExecutorService chaos, long duration, EventLoopGroup group,
        List<TrackManifest> manifests) {
      at(chaos, duration, 0.10, "a corrupting peer joins", () -> startCorrupting(group, manifests));
      double[] killsAt = {0.20, 0.50, 0.75};
      for (int k = 0; k < killsAt.length; k++) {
        ChildNode victim = children.get(k % (children.size() - 1)); // the last child is the one that stalls
        at(chaos, duration, killsAt[k], "SIGKILL child node " + victim.number, () -> {
          victim.kill();
          kills.incrementAndGet();
          TimeUnit.SECONDS.sleep(RESTART_DELAY_SECONDS);
          victim.start();
          restarts.incrementAndGet();
          say("  child node %d restarted on its cache", victim.number);
        });
      }
      at(chaos, duration, 0.30, "tracker stopped", () -> {
        tracker.get().close();
        TimeUnit.SECONDS.sleep(2);
        startTracker();
        trackerRestarts.incrementAndGet();
        say("  tracker started again on port %d", trackerPort);
      });
      ChildNode stalled = children.get(children.size() - 1);
      at(chaos, duration, 0.35, "SIGSTOP child node " + stalled.number + " for " + o.stall().toSeconds() + "s", () -> {
        stalled.freeze(true);
        TimeUnit.NANOSECONDS.sleep(o.stall().toNanos());
        stalled.freeze(false);
        say("  child node %d continues (SIGCONT)", stalled.number);
      });
      at(chaos, duration, 0.45, "the corrupting peer returns with a fresh key", () -> {
        closeQuietly(corrupting.getAndSet(null));
        startCorrupting(group, manifests);
      });
      at(chaos, duration, 0.55, "origin (nginx) stopped for " + o.originOutage().toSeconds() + "s", () -> {
        int port = origin.get().port();
        origin.get().close();
        TimeUnit.NANOSECONDS.sleep(o.originOutage().toNanos());
        origin.set(NginxServer.start(nginx, catalog, port));
        say("  origin back on port %d", port);
      });
    }

    private interface Fault {
      void run() throws Exception;
    }

    private void at(ScheduledExecutorService chaos, long duration, double fraction, String what, Fault fault) {
      chaos.schedule(() -> {
        say("%4ds  %s", (long) (duration * fraction / 1e9), what);
        try {
          fault.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          say("  FAULT FAILED: %s: %s", what, e);
        }
      }, (long) (duration * fraction), TimeUnit.NANOSECONDS);
    }

    private void startCorrupting(EventLoopGroup group, List<TrackManifest> manifests) throws IOException {
      corrupting.set(CorruptingPeer.start(group, InetAddress.getByName(CORRUPT_ADDRESS), trackerKey.publicKey(),
          trackerPort, content, manifests, corruptChunks));
    }

    private void startTracker() throws InterruptedException {
      TrackerConfig config = TrackerConfig.builder(trackerKey)
          .listenAddress(new InetSocketAddress(LOOPBACK, trackerPort))
          .shutdownGrace(Duration.ofSeconds(1))
          .build();
      tracker.set(TrackerServer.start(config, InMemoryPeerIndex.create(PeerIndexConfig.defaults()),
          TrackerListener.NOOP));
    }

    private NodeListener listener(boolean onTmpfs) {
      return new NodeListener() {
        @Override
        public void peerBanned(NodeId peer) {
          bans.incrementAndGet();
        }

        @Override
        public void cachingDisabled(Exception cause) {
          if (onTmpfs) {
            diskFull.incrementAndGet();
            diskFullAt.compareAndSet(Long.MAX_VALUE, System.nanoTime());
            say("  node 1's cache is full (%s); caching off, playback goes on", cause.getMessage());
          }
        }
      };
    }

    /** Opens a killed child's cache and reads every chunk it holds (each read verifies it). */
    private void checkCache(ChildNode c, long[] counts) {
      AtomicLong corrupt = new AtomicLong();
      ChunkStoreListener l = new ChunkStoreListener() {
        @Override
        public void corruptChunkDeleted(TrackId trackId, int index) {
          corrupt.incrementAndGet();
        }
      };
      try (RocksDbChunkStore store = RocksDbChunkStore.open(ChunkStoreConfig.builder().directory(c.cacheDir)
          .capacityBytes(o.cacheBytes()).build(), l)) {
        counts[0]++;
        for (TrackId t : store.tracks()) {
          BitSet held = store.holding(t);
          for (int i = held.nextSetBit(0); i >= 0; i = held.nextSetBit(i + 1)) {
            if (store.chunk(t, i).isPresent()) {
              counts[1]++;
            } else {
              counts[2]++;
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        counts[2]++;
        say("  child node %d's cache did not reopen: %s", c.number, e);
      }
      counts[2] += corrupt.get();
    }

    private void say(String format, Object... args) {
      synchronized (out) {
        out.printf(Locale.ROOT, format + "%n", args);
        out.flush();
      }
    }
  }

  /** Up to five messages of each outcome ("player 3: HTTP_ERROR: ..."). */
  private static List<String> firstOfEachKind(List<String> samples) {
    Map<String, Integer> seen = new HashMap<>();
    List<String> kept = new ArrayList<>();
    for (String s : samples) {
      String kind = s.replaceFirst("^player \\d+: ([A-Z_]+):.*$", "$1");
      if (seen.merge(kind, 1, Integer::sum) <= 5) {
        kept.add(s);
      }
    }
    return kept;
  }

  private static void startInParallel(List<ChildNode> children) throws IOException, InterruptedException {
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (ChildNode c : children) {
      Thread t = new Thread(() -> {
        try {
          c.start();
        } catch (IOException | InterruptedException e) {
          failures.add(e);
        }
      }, "chorus-chaos-start-" + c.number);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw new IOException("child nodes did not start: " + failures);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // ending the run: nothing more to do about it
    }
  }
}
