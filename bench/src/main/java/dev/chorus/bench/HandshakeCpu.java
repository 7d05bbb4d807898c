package dev.chorus.bench;

import dev.chorus.protocol.noise.NoiseDh;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Handshakes per second of the measuring thread's CPU time, for the X25519 implementation this JVM
 * uses: the same operation as {@link HandshakeBenchmark}, but timed with the thread's CPU clock, so
 * that the figure holds on a machine that other processes share (JMH's throughput is wall time, and
 * drops with every process that competes for the cores). BenchMain starts one JVM per
 * implementation; prints {@code <implementation> <handshakes per CPU second>}.
 */
final class HandshakeCpu {
  private HandshakeCpu() {}

  public static void main(String[] args) throws Exception {
    int warmupSeconds = Integer.parseInt(args[0]);
    int measureSeconds = Integer.parseInt(args[1]);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    HandshakeBenchmark handshake = new HandshakeBenchmark();
    handshake.setUp();
    runFor(handshake, threads, TimeUnit.SECONDS.toNanos(warmupSeconds));
    long cpuStart = threads.getCurrentThreadCpuTime();
    long count = runFor(handshake, threads, TimeUnit.SECONDS.toNanos(measureSeconds));
    double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    System.out.println(String.format(Locale.ROOT, "%s %.0f", NoiseDh.X25519.implementation(), count / cpuSeconds));
  }

  /** Handshakes until the thread has used {@code cpuNanos} of CPU. */
  private static long runFor(HandshakeBenchmark handshake, ThreadMXBean threads, long cpuNanos) throws Exception {
    long end = threads.getCurrentThreadCpuTime() + cpuNanos;
    long count = 0;
    while (threads.getCurrentThreadCpuTime() < end) {
      for (int i = 0; i < 50; i++) {
        handshake.fullHandshake();
      }
      count += 50;
    }
    return count;
  }
}
