package dev.chorus.node;

import dev.chorus.node.internal.originclient.ChunkOrigin;
import dev.chorus.node.internal.peer.PeerConnections;
import dev.chorus.node.internal.peer.PeerLink;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.node.internal.trackerclient.TrackerConnection;
import dev.chorus.node.internal.trackerclient.TrackerPeerInfo;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * Scripted and recording stand-ins for what the node's shell talks to (the peer network, the
 * tracker, the origin) and a queue in place of the core's thread, so that a test decides when
 * events run and can see that a command's outcome waits for the next turn of the loop.
 */
final class ShellFakes {
  private ShellFakes() {}

  /** The core loop's executor: tasks wait until the test runs them. */
  static final class QueueExecutor implements Executor {
    final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>(); // verifier threads post too

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    int pending() {
      return tasks.size();
    }

    /** Runs tasks, including those they queue, until none is left. */
    int runAll() {
      int ran = 0;
      while (!tasks.isEmpty()) {
        tasks.poll().run();
        ran++;
      }
      return ran;
    }
  }

  /** A connected peer that records what is sent to it. */
  static final class FakeLink implements PeerLink {
    final PeerIdentity identity;
    final List<PeerMessage> sent = new ArrayList<>();
    final int listenPort;
    boolean open = true;
    ErrorCode closedWith;

    FakeLink(int n, int listenPort) {
      byte[] key = new byte[32];
      Arrays.fill(key, (byte) n);
      this.identity = PeerIdentity.ofStaticKey(key);
      this.listenPort = listenPort;
    }

    List<PeerMessage> sent(PeerMessage.BodyCase kind) {
      return sent.stream().filter(m -> m.getBodyCase() == kind).toList();
    }

    @Override
    public PeerIdentity identity() {
      return identity;
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return new InetSocketAddress("127.0.0.1", 40_000 + (identity.staticKey()[0] & 0xff));
    }

    @Override
    public Hello remoteHello() {
      return Hello.newBuilder().setListenPort(listenPort).build();
    }

    @Override
    public boolean initiatedLocally() {
      return true;
    }

    @Override
    public boolean send(PeerMessage message) {
      if (!open) {
        return false;
      }
      sent.add(message);
      return true;
    }

    @Override
    public boolean write(PeerMessage message) {
      return send(message);
    }

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void close(ErrorCode reason, String detail) {
      open = false;
      closedWith = reason;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public long rttNanos() {
      return 1_000_000;
    }

    @Override
    public VivaldiCoordinate remoteCoordinate() {
      return VivaldiCoordinate.ORIGIN;
    }
  }

  static final class FakePeers implements PeerConnections {
    final Map<NodeId, FakeLink> links = new HashMap<>();
    final List<InetSocketAddress> dialled = new ArrayList<>();
    final List<NodeId> banned = new ArrayList<>();
    /** What a dial returns; failed unless the test sets it. */
    CompletableFuture<PeerLink> nextDial = CompletableFuture.failedFuture(new java.io.IOException("refused"));

    FakeLink add(FakeLink link) {
      links.put(link.nodeId(), link);
      return link;
    }

    @Override
    public CompletableFuture<PeerLink> connect(InetSocketAddress address, byte[] expectedStaticKey) {
      dialled.add(address);
      return nextDial;
    }

    @Override
    public void ban(NodeId node, ErrorCode reason, String detail) {
      banned.add(node);
    }

    @Override
    public Optional<PeerLink> link(NodeId node) {
      FakeLink l = links.get(node);
      return l == null || !l.open ? Optional.empty() : Optional.of(l);
    }

    @Override
    public Collection<PeerLink> links() {
      return List.copyOf(links.values());
    }
  }

  static final class FakeTracker implements TrackerConnection {
    final List<Holding> announced = new ArrayList<>();
    final List<TrackId> withdrawn = new ArrayList<>();
    final List<CompletableFuture<List<TrackerPeerInfo>>> lookups = new ArrayList<>();

    @Override
    public void announce(Collection<Holding> holdings) {
      announced.addAll(holdings);
    }

    @Override
    public void withdraw(Collection<TrackId> tracks) {
      withdrawn.addAll(tracks);
    }

    @Override
    public CompletableFuture<List<TrackerPeerInfo>> lookup(TrackId track, BitSet wanted, int maxPeers) {
      CompletableFuture<List<TrackerPeerInfo>> f = new CompletableFuture<>();
      lookups.add(f);
      return f;
    }
  }

  static final class FakeOrigin implements ChunkOrigin {
    final Map<TrackId, CompletableFuture<TrackManifest>> manifests = new HashMap<>();
    final List<CdnRead> reads = new ArrayList<>();

    record CdnRead(TrackManifest manifest, int first, int count, CompletableFuture<List<byte[]>> result) {}

    @Override
    public CompletableFuture<TrackManifest> fetchManifest(TrackId id) {
      return manifests.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    @Override
    public CompletableFuture<List<byte[]>> fetchChunks(TrackManifest manifest, int firstChunk, int count) {
      CompletableFuture<List<byte[]>> f = new CompletableFuture<>();
      reads.add(new CdnRead(manifest, firstChunk, count, f));
      return f;
    }
  }

  /** A published track: its signed manifest and content. */
  record Track(TrackManifest manifest, byte[] content) {
    static final PublisherKeyPair KEY = PublisherKeyPair.fromPrivateKey(key());

    static Track of(long seed, int sizeBytes) {
      byte[] content = new byte[sizeBytes];
      new Random(seed).nextBytes(content);
      TrackManifest m = TrackManifest.builder().mimeType("audio/ogg; codecs=opus")
          .originKey("tracks/shell-" + seed + ".opus").durationMillis(1000L + sizeBytes / 20)
          .bitsPerSecond(160_000).chunkSizeBytes(16_384).publish(content, KEY);
      return new Track(m, content);
    }

    TrackId id() {
      return manifest.trackId();
    }

    byte[] chunk(int index) {
      int from = (int) manifest.chunkOffset(index);
      return Arrays.copyOfRange(content, from, from + manifest.chunkLength(index));
    }

    List<byte[]> chunks(int first, int count) {
      List<byte[]> out = new ArrayList<>();
      for (int i = first; i < first + count; i++) {
        out.add(chunk(i));
      }
      return out;
    }

    private static byte[] key() {
      byte[] k = new byte[32];
      for (int i = 0; i < k.length; i++) {
        k[i] = (byte) (i * 5 + 3);
      }
      return k;
    }
  }
}
