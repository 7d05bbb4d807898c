package dev.chorus.bench.tracker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load generator for a BitTorrent UDP tracker (BEP 15), on one thread: {@code channels} UDP
 * sockets, each on its own loopback address, each with up to {@code inFlight} requests outstanding.
 * A socket first sends a connect request and then announces with the connection id it got,
 * reconnecting every 30 s (trackers accept an id for about two minutes); a request unanswered
 * after {@link #TIMEOUT_NANOS} counts as lost and its slot is reused.
 *
 * <p>Two uses: the preload ({@link #preload}, each (peer, info-hash) pair announced once with
 * num_want 0, a lost one sent again) and the load ({@link #startLoad}: announces of popular
 * info-hashes with num_want {@code numWant}, closed loop or on a fixed schedule). In the load each
 * socket announces one fixed port, so it is one peer of the swarms it hits, as a real client is.
 */
final class UdpTrackerLoad implements AutoCloseable {
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long PROTOCOL_ID = 0x41727101980L;
  private static final int ACTION_CONNECT = 0;
  private static final int ACTION_ANNOUNCE = 1;
  private static final int ACTION_ERROR = 3;
  /** BEP 15: an announce reply is 20 bytes plus 6 per IPv4 peer; opentracker sends at most 200. */
  private static final int MAX_DATAGRAM = 20 + 6 * 200 + 64;
  private static final int HASH_BYTES = 20;

  /** What each request slot of a socket is doing. */
  private static final class Socket {
    final DatagramChannel channel;
    final int index;
    final long[] sentNanos;
    final long[] dueNanos;
    final int[] track;
    final int[] port;
    final int[] generation;
    long connectionId;
    long connectedAtNanos;
    boolean connecting;
    long connectSentNanos;
    int free;

    Socket(DatagramChannel channel, int index, int inFlight) {
      this.channel = channel;
      this.index = index;
      this.sentNanos = new long[inFlight];
      this.dueNanos = new long[inFlight];
      this.track = new int[inFlight];
      this.port = new int[inFlight];
      this.generation = new int[inFlight];
      java.util.Arrays.fill(sentNanos, -1);
      this.free = inFlight;
    }
  }

  /** Where the next announce of a socket comes from. */
  private interface Work {
    /** Fills slot {@code s} of {@code socket} with a track and port; false when there is none. */
    boolean next(Socket socket, int s);

    /** A slot timed out: true to send the same request again, false to drop it. */
    boolean retry();

    boolean done();
  }

  /** Counters at one moment and the latencies since the previous snapshot. */
  static final class Snapshot {
    final long nanos;
    final long announces;
    final long connects;
    final long peers;
    final long fullReplies;
    final long lost;
    final long errors;
    final Histogram latencies;

    Snapshot(long nanos, long announces, long connects, long peers, long fullReplies, long lost, long errors,
        Histogram latencies) {
      this.nanos = nanos;
      this.announces = announces;
      this.connects = connects;
      this.peers = peers;
      this.fullReplies = fullReplies;
      this.lost = lost;
      this.errors = errors;
      this.latencies = latencies;
    }
  }

  private final InetSocketAddress tracker;
  private final int inFlight;
  private final List<Socket> sockets = new ArrayList<>();
  private final Selector selector;
  private final ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM);
  private final ByteBuffer out = ByteBuffer.allocateDirect(128);
  private final byte[] hash = new byte[32];
  private final Recorder recorder = new Recorder(LoadGenerator.MAX_LATENCY_NANOS, 3);
  private final AtomicLong announces = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong peers = new AtomicLong();
  private final AtomicLong fullReplies = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running;
  private Thread thread;
  private int numWant;
  private int fullReply;

  /**
   * Opens {@code channels} sockets, socket i on 127.{@code secondOctet}.(i / 250).(1 + i % 250),
   * connected to {@code tracker}: distinct addresses, so that loads with different second octets
   * never share a peer.
   */
  UdpTrackerLoad(InetSocketAddress tracker, int channels, int inFlight, int secondOctet) throws IOException {
    if (inFlight > 0xffff) {
      throw new IllegalArgumentException("at most 65535 requests in flight per socket, not " + inFlight);
    }
    this.tracker = tracker;
    this.inFlight = inFlight;
    this.selector = Selector.open();
    for (int i = 0; i < channels; i++) {
      DatagramChannel channel = DatagramChannel.open();
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
      channel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
      channel.bind(new InetSocketAddress("127." + secondOctet + "." + (i / 250) + "." + (1 + i % 250), 0));
      channel.connect(tracker);
      channel.configureBlocking(false);
      Socket socket = new Socket(channel, i, inFlight);
      channel.register(selector, SelectionKey.OP_READ, socket);
      sockets.add(socket);
    }
  }

  /**
   * Announces each peer's info-hashes once (num_want 0): peer p is socket p / 65535 with port
   * 1 + p % 65535, so every peer is a distinct (address, port), which is how the tracker tells
   * peers apart. {@code tracksOfPeer[p]} are the track numbers of peer p. Returns the announces
   * answered.
   */
  long preload(int[][] tracksOfPeer, long timeoutNanos) throws Exception {
    int peersPerSocket = 65_535;
    int needed = (tracksOfPeer.length + peersPerSocket - 1) / peersPerSocket;
    if (needed > sockets.size()) {
      throw new IllegalArgumentException(tracksOfPeer.length + " peers need " + needed + " sockets, have "
          + sockets.size());
    }
    int[] nextPeer = new int[sockets.size()];
    int[] nextTrack = new int[sockets.size()];
    long[] remaining = {0};
    for (int[] tracks : tracksOfPeer) {
      remaining[0] += tracks.length;
    }
    final long total = remaining[0];
    Work work = new Work() {
      @Override
      public boolean next(Socket socket, int s) {
        int i = socket.index;
        while (true) {
          int p = i * peersPerSocket + nextPeer[i];
          if (nextPeer[i] >= peersPerSocket || p >= tracksOfPeer.length) {
            return false;
          }
          if (nextTrack[i] < tracksOfPeer[p].length) {
            socket.track[s] = tracksOfPeer[p][nextTrack[i]++];
            socket.port[s] = 1 + nextPeer[i];
            return true;
          }
          nextPeer[i]++;
          nextTrack[i] = 0;
        }
      }

      @Override
      public boolean retry() {
        return true;
      }

      @Override
      public boolean done() {
        return announces.get() >= total;
      }
    };
    numWant = 0;
    fullReply = Integer.MAX_VALUE;
    running = true;
    loop(work, 0, System.nanoTime() + timeoutNanos);
    if (announces.get() < total) {
      throw new IllegalStateException("preload: " + announces.get() + " of " + total + " announces answered in time;"
          + " last error: " + lastError.get());
    }
    long answered = announces.getAndSet(0);
    recorder.reset();
    peers.set(0);
    fullReplies.set(0);
    return answered;
  }

  /**
   * Starts announcing popular tracks (num_want {@code numWant}) on a thread of its own: closed loop
   * when {@code announcesPerSecond} is 0, else on a fixed schedule at that rate, latency counted
   * from each announce's scheduled time.
   */
  void startLoad(Workload workload, int numWant, double announcesPerSecond, long seed) {
    this.numWant = numWant;
    this.fullReply = numWant;
    SplittableRandom random = new SplittableRandom(seed);
    Work work = new Work() {
      @Override
      public boolean next(Socket socket, int s) {
        socket.track[s] = workload.popularTrack(random);
        socket.port[s] = 6881 + socket.index;
        return true;
      }

      @Override
      public boolean retry() {
        return false;
      }

      @Override
      public boolean done() {
        return false;
      }
    };
    running = true;
    thread = new Thread(() -> {
      try {
        loop(work, announcesPerSecond, Long.MAX_VALUE);
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "udp-loadgen");
    thread.setDaemon(true);
    thread.start();
  }

  Snapshot snapshot() {
    if (failure.get() != null) {
      throw new IllegalStateException("UDP load generator failed", failure.get());
    }
    return new Snapshot(System.nanoTime(), announces.get(), connects.get(), peers.get(), fullReplies.get(),
        lost.get(), errors.get(), recorder.getIntervalHistogram());
  }

  String lastError() {
    return lastError.get();
  }

  void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    for (Socket s : sockets) {
      s.channel.close();
    }
    selector.close();
  }

  private void loop(Work work, double ratePerSecond, long deadlineNanos) throws IOException {
    long start = System.nanoTime();
    double intervalNanos = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
    long scheduled = 0;
    int roundRobin = 0;
    long lastTimeoutScan = start;
    while (running && !work.done()) {
      long now = System.nanoTime();
      if (now > deadlineNanos) {
        return;
      }
      if (now - lastTimeoutScan > TimeUnit.MILLISECONDS.toNanos(100)) {
        expire(work, now);
        lastTimeoutScan = now;
      }
      if (intervalNanos == 0) {
        for (Socket socket : sockets) {
          fill(socket, work, now, -1);
        }
      } else {
        // Send what is due, round robin over the sockets; a due announce with no free slot waits
        // (its latency still counts from when it was due).
        while (start + (long) (scheduled * intervalNanos) <= now) {
          long due = start + (long) (scheduled * intervalNanos);
          boolean sent = false;
          for (int k = 0; k < sockets.size() && !sent; k++) {
            Socket socket = sockets.get(roundRobin++ % sockets.size());
            sent = fill(socket, work, now, due) > 0;
          }
          if (!sent) {
            break;
          }
          scheduled++;
        }
      }
      int ready = intervalNanos == 0 ? selector.select(10) : selector.selectNow();
      if (ready > 0) {
        for (SelectionKey key : selector.selectedKeys()) {
          receive((Socket) key.attachment(), work);
        }
        selector.selectedKeys().clear();
      } else if (intervalNanos > 0) {
        LockSupport.parkNanos(20_000);
      }
    }
  }

  /** Sends into the free slots of {@code socket}: all of them (closed loop) or one (due >= 0). Returns how many. */
  private int fill(Socket socket, Work work, long now, long due) throws IOException {
    if (socket.connectionId == 0 || now - socket.connectedAtNanos > RECONNECT_NANOS) {
      if (!socket.connecting || now - socket.connectSentNanos > TIMEOUT_NANOS) {
        sendConnect(socket, now);
      }
      if (socket.connectionId == 0) {
        return 0;
      }
    }
    int sent = 0;
    for (int s = 0; s < inFlight && socket.free > 0; s++) {
      if (socket.sentNanos[s] >= 0) {
        continue;
      }
      if (!work.next(socket, s)) {
        return sent;
      }
      socket.dueNanos[s] = due >= 0 ? due : now;
      sendAnnounce(socket, s, now);
      sent++;
      if (due >= 0) {
        return sent;
      }
    }
    return sent;
  }

  private void sendConnect(Socket socket, long now) throws IOException {
    out.clear();
    out.putLong(PROTOCOL_ID).putInt(ACTION_CONNECT).putInt(-1);
    out.flip();
    socket.channel.write(out);
    socket.connecting = true;
    socket.connectSentNanos = now;
  }

  private void sendAnnounce(Socket socket, int s, long now) throws IOException {
    socket.generation[s] = (socket.generation[s] + 1) & 0x7fff;
    Workload.trackIdBytes(socket.track[s], hash);
    out.clear();
    out.putLong(socket.connectionId).putInt(ACTION_ANNOUNCE).putInt(socket.generation[s] << 16 | s);
    out.put(hash, 0, HASH_BYTES);
    out.putLong(0x2d43483030303030L).putLong(socket.index).putInt(socket.port[s]); // peer_id: "-CH00000"...
    out.putLong(0).putLong(1 << 20).putLong(0); // downloaded, left, uploaded
    out.putInt(0).putInt(0).putInt(socket.index).putInt(numWant).putShort((short) socket.port[s]);
    out.flip();
    socket.channel.write(out);
    socket.sentNanos[s] = now;
    socket.free--;
  }

  private void receive(Socket socket, Work work) throws IOException {
    while (true) {
      in.clear();
      int n = socket.channel.read(in);
      if (n <= 0) {
        return;
      }
      in.flip();
      if (n < 8) {
        errors.incrementAndGet();
        continue;
      }
      int action = in.getInt();
      int tid = in.getInt();
      long now = System.nanoTime();
      if (action == ACTION_CONNECT && tid == -1 && n >= 16) {
        socket.connectionId = in.getLong();
        socket.connectedAtNanos = now;
        socket.connecting = false;
        connects.incrementAndGet();
      } else if (action == ACTION_ANNOUNCE && n >= 20) {
        int s = tid & 0xffff;
        if (s >= inFlight || socket.sentNanos[s] < 0 || socket.generation[s] != (tid >>> 16)) {
          continue; // a late reply to a request already given up
        }
        int peerCount = (n - 20) / 6;
        recorder.recordValue(Math.min(LoadGenerator.MAX_LATENCY_NANOS, Math.max(1, now - socket.dueNanos[s])));
        announces.incrementAndGet();
        peers.addAndGet(peerCount);
        if (peerCount >= fullReply) {
          fullReplies.incrementAndGet();
        }
        socket.sentNanos[s] = -1;
        socket.free++;
      } else if (action == ACTION_ERROR) {
        byte[] message = new byte[n - 8];
        in.get(message);
        lastError.set(new String(message, java.nio.charset.StandardCharsets.UTF_8));
        errors.incrementAndGet();
        int s = tid & 0xffff;
        if (tid != -1 && s < inFlight && socket.sentNanos[s] >= 0 && socket.generation[s] == (tid >>> 16)) {
          socket.connectionId = 0; // most likely an expired connection id: connect again
          if (!work.retry()) {
            socket.sentNanos[s] = -1;
            socket.free++;
          } // else the timeout scan sends it again
        }
      } else {
        errors.incrementAndGet();
      }
    }
  }

  private void expire(Work work, long now) throws IOException {
    for (Socket socket : sockets) {
      for (int s = 0; s < inFlight; s++) {
        if (socket.sentNanos[s] >= 0 && now - socket.sentNanos[s] > TIMEOUT_NANOS) {
          lost.incrementAndGet();
          if (!work.retry()) {
            socket.sentNanos[s] = -1;
            socket.free++;
          } else if (socket.connectionId != 0) {
            socket.free++;
            sendAnnounce(socket, s, now);
          } else {
            socket.sentNanos[s] = now; // send it again once connected
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d UDP sockets x %d announces in flight to %s", sockets.size(), inFlight,
        tracker);
  }
}
