package dev.chorus.bench.node;

import com.google.protobuf.UnsafeByteOperations;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.node.internal.store.ChunkStoreConfig;
import dev.chorus.node.internal.store.ChunkStoreListener;
import dev.chorus.node.internal.store.RocksDbChunkStore;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.netty.FrameDecoderHandler;
import dev.chorus.protocol.netty.MessageDecoderHandler;
import dev.chorus.protocol.netty.MessageEncoderHandler;
import dev.chorus.bench.EmbeddedNoisePair;
import dev.chorus.protocol.netty.NoiseHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.PeerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code bench/run p2p-floor}: what one 16 KiB chunk moved between two peers costs at the least,
 * part by part, in CPU seconds per GB of chunk payload (10^9 bytes), so that the node benchmark's
 * {@code node_p2p_cpu_seconds_per_gb} can be read against it. Thread or process CPU time, not wall
 * clock: the figures hold on a shared machine.
 *
 * <ul>
 *   <li>{@code aesgcm}: the record sealed and opened (the JDK's AES-GCM, as {@code NoiseHandler}
 *       does it for records over 256 bytes), one thread.
 *   <li>{@code sha256}: one SHA-256 of the chunk (the receiver's verification), one thread.
 *   <li>{@code event_loop}: the Java part of both nodes' event loops without the sockets: a
 *       {@code ChunkData} message (16 KiB, wrapped without a copy as the node does) written through
 *       the real message encoder and {@code NoiseHandler}, flushed every 8 messages (the node's
 *       serving batch); each record copied into a direct buffer (as Netty's NIO write does with a
 *       heap buffer) and the bytes handed to the receiving {@code NoiseHandler} in 64 KiB direct
 *       buffers (what the NIO read loop delivers on a busy loopback connection); decrypted, cut
 *       into frames, parsed, the chunk's bytes taken. One thread; AES-GCM included.
 *   <li>{@code store_write}: {@link RocksDbChunkStore#putChunk} of a whole track (it hashes each
 *       chunk against the manifest: the SHA-256 above is in it) and the store's close, which
 *       flushes what is left in the memtable; CPU of the whole process, so RocksDB's flush thread
 *       counts; by thread role in the log.
 *   <li>{@code store_read}: every chunk read back from the store once more after they were read
 *       and verified a first time (trusted since: how a holder serves); process CPU.
 * </ul>
 */
public final class P2pFloorBench {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final int CHUNK = 16 * 1024;
  /** Distinct chunk arrays cycled through (4 MiB, more than the caches hold), as a real track's would be. */
  private static final int DISTINCT = 256;
  private static final int BATCH = 8;
  private static final int READ_BYTES = 64 * 1024;

  private P2pFloorBench() {}

  public static String usage() {
    return "p2p-floor [--mib N] [--rounds N]: the least CPU per GB a peer-to-peer chunk costs, part by part\n"
        + "  (AES-GCM both ways, SHA-256, the event loops' Java work, a RocksDB store write and read);\n"
        + "  --mib: data per measurement (default 256); --rounds: measurements of each part, the median\n"
        + "  reported (default 3, after one unreported warm-up round)";
  }

  public static List<String> run(List<String> args) throws Exception {
    long mib = BenchOptions.intOption(args, "--mib", 256);
    int rounds = BenchOptions.intOption(args, "--rounds", 3);
    int chunks = (int) (mib * (1 << 20) / CHUNK);
    byte[][] data = new byte[DISTINCT][CHUNK];
    SplittableRandom random = new SplittableRandom(42);
    for (byte[] d : data) {
      random.nextBytes(d);
    }
    double[][] results = new double[5][rounds];
    for (int round = -1; round < rounds; round++) { // round -1 warms the JIT up, unreported
      int n = round < 0 ? Math.max(1024, chunks / 4) : chunks;
      double[] r = {aesGcm(data, n), sha256(data, n), eventLoop(data, n), Double.NaN, Double.NaN};
      double[] store = store(n, round);
      r[3] = store[0];
      r[4] = store[1];
      if (round >= 0) {
        for (int i = 0; i < r.length; i++) {
          results[i][round] = r[i];
        }
      }
      System.err.printf(Locale.ROOT, "p2p-floor: round %d: aesgcm %.3f, sha256 %.3f, event_loop %.3f, store_write %.3f, store_read %.3f s/GB (load average %s)%n",
          round + 1, r[0], r[1], r[2], r[3], r[4], loadAverage());
    }
    String[] names = {"aesgcm_seal_open", "sha256", "event_loop", "store_write", "store_read"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      lines.add(String.format(Locale.ROOT, "BENCH p2p_floor_%s_s_per_gb %.3f s/GB", names[i], median(results[i])));
    }
    return lines;
  }

  private static double perGb(long nanos, long chunks) {
    return nanos / 1e9 / (chunks * (double) CHUNK / 1e9);
  }

  private static double aesGcm(byte[][] data, int n) throws Exception {
    Pair pair = new Pair(false);
    long start = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      ByteBuf plain = PooledByteBufAllocator.DEFAULT.heapBuffer(CHUNK);
      plain.writeBytes(data[i % DISTINCT]);
      pair.sender.writeAndFlush(plain);
      ByteBuf record;
      while ((record = pair.sender.readOutbound()) != null) {
        pair.receiver.writeInbound(record);
      }
    }
    long cpu = THREADS.getCurrentThreadCpuTime() - start;
    pair.expect(n);
    pair.close();
    return perGb(cpu, n);
  }

  private static double sha256(byte[][] data, int n) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] out = new byte[32];
    int sink = 0;
    long start = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      sha.update(data[i % DISTINCT]);
      sha.digest(out, 0, 32);
      sink += out[0];
    }
    long cpu = THREADS.getCurrentThreadCpuTime() - start;
    if (sink == Integer.MIN_VALUE) {
      System.err.println(sink); // keeps the digests alive
    }
    return perGb(cpu, n);
  }

  private static double eventLoop(byte[][] data, int n) throws Exception {
    Pair pair = new Pair(true);
    ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(READ_BYTES);
    long start = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      pair.sender.write(PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(7)
          .setIndex(i).setData(UnsafeByteOperations.unsafeWrap(data[i % DISTINCT]))).build());
      if ((i + 1) % BATCH == 0 || i == n - 1) {
        pair.sender.flush();
        ByteBuf record;
        while ((record = pair.sender.readOutbound()) != null) {
          ByteBuf sent = PooledByteBufAllocator.DEFAULT.directBuffer(record.readableBytes());
          sent.writeBytes(record);
          record.release();
          while (sent.isReadable()) {
            int take = Math.min(read.writableBytes(), sent.readableBytes());
            read.writeBytes(sent, take);
            if (!read.isWritable()) {
              pair.receiver.writeInbound(read);
              read = PooledByteBufAllocator.DEFAULT.directBuffer(READ_BYTES);
            }
          }
          sent.release();
        }
      }
    }
    if (read.isReadable()) {
      pair.receiver.writeInbound(read);
    } else {
      read.release();
    }
    long cpu = THREADS.getCurrentThreadCpuTime() - start;
    pair.expect(n);
    pair.close();
    return perGb(cpu, n);
  }

  /** Process CPU s/GB to write a track of {@code n} chunks (with the close's flush) and to read it back trusted. */
  private static double[] store(int n, int round) throws Exception {
    Path dir = Files.createTempDirectory("chorus-p2p-floor");
    try {
      byte[] content = new byte[n * CHUNK];
      new SplittableRandom(round + 100).nextBytes(content);
      TrackManifest m = TrackManifest.builder()
          .mimeType("audio/ogg; codecs=vorbis")
          .originKey("audio/floor.ogg")
          .durationMillis(content.length * 1000L / 20_000)
          .bitsPerSecond(160_000)
          .chunkSizeBytes(CHUNK)
          .publish(content, PublisherKeyPair.generate(new SecureRandom()));
      byte[][] chunks = new byte[n][];
      for (int i = 0; i < n; i++) {
        chunks[i] = Arrays.copyOfRange(content, i * CHUNK, (i + 1) * CHUNK);
      }
      content = null;
      ChunkStoreConfig config = ChunkStoreConfig.builder().directory(dir).capacityBytes(4L << 30).build();
      CpuTimes before = CpuTimes.now();
      try (ChunkStore store = RocksDbChunkStore.open(config, ChunkStoreListener.NO_OP)) {
        store.putManifest(m);
        for (int i = 0; i < n; i++) {
          if (!store.putChunk(m.trackId(), i, chunks[i])) {
            throw new IllegalStateException("chunk " + i + " not stored");
          }
        }
      }
      CpuTimes written = CpuTimes.now();
      chunks = null;
      double write = perGb(written.processNanos() - before.processNanos(), n);
      System.err.println("p2p-floor: store write by thread (s/GB): " + byRole(before, written, n));
      try (ChunkStore store = RocksDbChunkStore.open(config, ChunkStoreListener.NO_OP)) {
        for (int i = 0; i < n; i++) { // found on disk at open: verified on this first read, trusted after
          store.chunk(m.trackId(), i).orElseThrow();
        }
        CpuTimes t0 = CpuTimes.now();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
          bytes += store.chunk(m.trackId(), i).orElseThrow().length;
        }
        CpuTimes t1 = CpuTimes.now();
        if (bytes != (long) n * CHUNK) {
          throw new IllegalStateException("read " + bytes + " bytes");
        }
        return new double[] {write, perGb(t1.processNanos() - t0.processNanos(), n)};
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String byRole(CpuTimes from, CpuTimes to, int n) {
    StringBuilder s = new StringBuilder();
    to.byRole().entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - from.byRole().getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> s.append(s.length() == 0 ? "" : ", ")
            .append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.3f", perGb(e.getValue(), n))));
    return s.toString();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /**
   * Two NoiseHandlers after their handshake on EmbeddedChannels; with {@code messages}, the peer
   * pipeline's codecs above them (encoder on the sender; frames and parser on the receiver).
   */
  private static final class Pair {
    final EmbeddedChannel sender = new EmbeddedChannel();
    final EmbeddedChannel receiver = new EmbeddedChannel();
    long received;

    Pair(boolean messages) throws Exception {
      SecureRandom random = new SecureRandom();
      sender.config().setAllocator(PooledByteBufAllocator.DEFAULT);
      receiver.config().setAllocator(PooledByteBufAllocator.DEFAULT);
      SecureChannelConfig config = SecureChannelConfig.builder(NoiseKeyPair.generateX25519(random)).build();
      sender.pipeline().addLast(new NoiseHandler(config, true));
      receiver.pipeline().addLast(new NoiseHandler(
          SecureChannelConfig.builder(NoiseKeyPair.generateX25519(random)).build(), false));
      if (messages) {
        sender.pipeline().addLast(new MessageEncoderHandler<>(Envelope.PEER, config.frameFormat()));
        receiver.pipeline().addLast(new FrameDecoderHandler(config.frameFormat()));
        receiver.pipeline().addLast(new MessageDecoderHandler<>(Envelope.PEER));
      }
      receiver.pipeline().addLast(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof PeerMessage m && m.getChunkData().getData().size() != CHUNK) {
            throw new IllegalStateException("a chunk of " + m.getChunkData().getData().size() + " bytes");
          }
          received++;
          ReferenceCountUtil.release(msg);
        }
      });
      EmbeddedNoisePair.handshake(sender, receiver);
    }

    void expect(long n) {
      if (received != n) {
        throw new IllegalStateException("sent " + n + " messages, received " + received);
      }
    }

    void close() {
      sender.finishAndReleaseAll();
      receiver.finishAndReleaseAll();
    }
  }
}
