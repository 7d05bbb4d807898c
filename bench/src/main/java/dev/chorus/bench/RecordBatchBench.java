package dev.chorus.bench;

import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.netty.FrameDecoderHandler;
import dev.chorus.protocol.netty.NoiseHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.noise.NoiseKeyPair;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run records}: what sharing a Noise record between messages saves, on one thread,
 * in its CPU time and allocation (both hold on a shared machine, unlike wall clock). Two real
 * {@link NoiseHandler}s after their handshake, on EmbeddedChannels (no sockets); the sender writes
 * ready-made frames — 1,100 bytes, about a tracker's reply with 26 peers, in batches of 16 (the
 * bench generator's lookups in flight per connection), and 16,398 bytes, a 16 KiB chunk message,
 * in batches of 8 (the node's serving batch) — and flushes either after every message (one record
 * each, as before records were shared) or once per batch. {@code seal}: the sender alone (the
 * records are dropped), what the tracker pays for its replies; {@code seal_open}: each record is
 * then copied into a pooled direct buffer, as the socket write does, and decrypted and cut into
 * frames by the receiver's {@code NoiseHandler} and {@code FrameDecoderHandler}.
 */
final class RecordBatchBench {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private RecordBatchBench() {}

  static List<String> run(boolean quick) throws Exception {
    long budgetNanos = (quick ? 1 : 3) * 1_000_000_000L;
    List<String> lines = new ArrayList<>();
    int[][] cases = {{1100, 16}, {4 + 16384 + 10, 8}};
    for (int pass = 0; pass < 2; pass++) { // the first pass warms every path up (the JIT), unreported
      for (int[] c : cases) {
        int size = c[0];
        int batch = c[1];
        String name = (size < 2000 ? "1k" : "16k") + "_x" + batch;
        for (boolean open : new boolean[] {false, true}) {
          for (boolean shared : new boolean[] {false, true}) {
            double[] r = measure(size, batch, shared, open, pass == 0 ? budgetNanos / 2 : budgetNanos);
            if (pass == 0) {
              continue;
            }
            String line = name + "_" + (shared ? "shared" : "record_each");
            String what = open ? "seal_open" : "seal";
            lines.add(String.format(Locale.ROOT, "BENCH noise_records_%s_cpu_ns_per_message_%s %.0f ns", what, line, r[0]));
            lines.add(String.format(Locale.ROOT, "BENCH noise_records_%s_alloc_bytes_per_message_%s %.0f B", what, line, r[1]));
          }
        }
      }
    }
    return lines;
  }

  /** CPU ns and bytes allocated per message, over batches until {@code budgetNanos} of CPU time. */
  private static double[] measure(int size, int batch, boolean shared, boolean open, long budgetNanos) throws Exception {
    Pair pair = new Pair();
    ByteBuf frame = PooledByteBufAllocator.DEFAULT.heapBuffer(size);
    frame.writeInt(size - 4);
    byte[] body = new byte[size - 4];
    new SecureRandom().nextBytes(body);
    frame.writeBytes(body);
    long thread = Thread.currentThread().getId();
    long messages = 0;
    long startCpu = THREADS.getCurrentThreadCpuTime();
    long startAllocated = THREADS.getThreadAllocatedBytes(thread);
    long cpu;
    do {
      for (int round = 0; round < 64; round++) {
        for (int i = 0; i < batch; i++) {
          pair.sender.write(frame.retainedDuplicate());
          if (!shared) {
            pair.sender.flush();
          }
        }
        pair.sender.flush();
        pair.moveRecords(open);
        messages += batch;
      }
      cpu = THREADS.getCurrentThreadCpuTime() - startCpu;
    } while (cpu < budgetNanos);
    long allocated = THREADS.getThreadAllocatedBytes(thread) - startAllocated;
    frame.release();
    if (open && pair.framesReceived != messages) {
      throw new IllegalStateException("sent " + messages + " frames, received " + pair.framesReceived);
    }
    pair.close();
    return new double[] {(double) cpu / messages, (double) allocated / messages};
  }

  /** Two NoiseHandlers after their handshake; the receiver also cuts frames, and drops them. */
  private static final class Pair {
    final EmbeddedChannel sender = new EmbeddedChannel();
    final EmbeddedChannel receiver = new EmbeddedChannel();
    long framesReceived;

    Pair() throws Exception {
      SecureRandom random = new SecureRandom();
      sender.config().setAllocator(PooledByteBufAllocator.DEFAULT);
      receiver.config().setAllocator(PooledByteBufAllocator.DEFAULT);
      sender.pipeline().addLast(new NoiseHandler(
          SecureChannelConfig.builder(NoiseKeyPair.generateX25519(random)).build(), true));
      receiver.pipeline().addLast(new NoiseHandler(
          SecureChannelConfig.builder(NoiseKeyPair.generateX25519(random)).build(), false));
      receiver.pipeline().addLast(new FrameDecoderHandler(FrameFormat.messages()));
      receiver.pipeline().addLast(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          framesReceived++;
          ReferenceCountUtil.release(msg);
        }
      });
      EmbeddedNoisePair.handshake(sender, receiver);
    }

    void moveRecords(boolean open) {
      ByteBuf record;
      while ((record = sender.readOutbound()) != null) {
        if (open) {
          // As over a socket: Netty copies a heap record into a pooled direct buffer to write it,
          // and the receiver reads into direct buffers.
          ByteBuf wire = PooledByteBufAllocator.DEFAULT.directBuffer(record.readableBytes());
          wire.writeBytes(record);
          record.release();
          receiver.writeInbound(wire);
        } else {
          record.release();
        }
      }
    }

    void close() {
      sender.finishAndReleaseAll();
      receiver.finishAndReleaseAll();
    }
  }
}
