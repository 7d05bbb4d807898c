package dev.chorus.bench.sim;

import dev.chorus.simulator.network.FlowNetwork;
import dev.chorus.simulator.network.NetworkModel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A quick, bounded measurement of the cost of one rate recomputation (a flow start or end):
 * {@code hosts} peers plus the CDN with the default bandwidth classes, {@code flows} active
 * flows (a fifth from the CDN, the rest peer to peer with at most 4 uploads a peer), then churn:
 * each step ends one flow (half cancelled at random, half by completion) and starts another.
 * Prints {@code BENCH sim_network_recompute_us <v> us}.
 *
 * <p>Usage: {@code java -cp bench/target/chorus-bench.jar dev.chorus.bench.sim.NetworkBench
 * [hosts=100000] [flows=10000] [ops=200000] [activePeers=hosts]}: flows run between peers drawn
 * uniformly from the first {@code activePeers} (fewer active peers = denser sharing, larger
 * recomputation regions). Not a JMH benchmark: one warm-up pass, one timed
 * pass; good to about ±20%.
 */
public final class NetworkBench {
  private static final int UPLOAD_SLOTS = 4;
  private static final long MIB = 1 << 20;

  private final FlowNetwork net;
  private final int peers;
  private final int activePeers;
  private final int cdn;
  private final SplittableRandom rnd;
  private final long[] ids;
  private int[] indexOfSlot = new int[1024];
  private int n;
  private long now;

  private NetworkBench(int peers, int flows, int activePeers, long seed) {
    this.peers = peers;
    this.activePeers = activePeers;
    this.rnd = new SplittableRandom(seed);
    NetworkModel model = NetworkModel.build(
        NetworkModel.Config.builder(peers).build(), rnd.split(), new FlowNetwork.Listener() {});
    this.net = model.flows();
    this.cdn = model.cdnHost();
    this.ids = new long[flows];
    while (n < flows) {
      put(n++, start());
    }
  }

  private long start() {
    int dst = rnd.nextInt(activePeers);
    int src;
    if (rnd.nextInt(5) == 0) {
      src = cdn;
    } else {
      do {
        src = rnd.nextInt(activePeers);
      } while (src == dst || net.uploads(src) >= UPLOAD_SLOTS);
    }
    long bytes = MIB / 4 + rnd.nextLong(4 * MIB);
    return net.startFlow(src, dst, bytes, now);
  }

  private void put(int k, long id) {
    int slot = (int) id;
    if (slot >= indexOfSlot.length) {
      indexOfSlot = Arrays.copyOf(indexOfSlot, Math.max(slot + 1, 2 * indexOfSlot.length));
    }
    indexOfSlot[slot] = k;
    ids[k] = id;
  }

  /** One step: one flow ends (cancel or completion), one starts. */
  private void step() {
    if (rnd.nextBoolean()) {
      int k = rnd.nextInt(n);
      net.cancelFlow(ids[k], now);
      put(k, start());
    } else {
      long t = net.nextCompletionNanos();
      if (t == FlowNetwork.NEVER) {
        return;
      }
      now = t;
      net.pollCompleted(now, (id, src, dst, bytes, at) -> put(indexOfSlot[(int) id], start()));
    }
  }

  private double run(int ops) {
    long r0 = net.recomputations();
    long v0 = net.flowsRecomputed();
    long c0 = net.truncatedRecomputations();
    long x0 = net.regionRetries();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      step();
    }
    long t1 = System.nanoTime();
    long cpu1 = threads.getCurrentThreadCpuTime();
    long r = net.recomputations() - r0;
    double us = (t1 - t0) / 1e3 / r;
    System.out.printf(Locale.ROOT,
        "  %d recomputations, %.1f flows visited each, %.3f us each (%.3f us CPU), %d truncated,"
            + " %d solved again, %d active%n",
        r, (net.flowsRecomputed() - v0) / (double) r, us, (cpu1 - cpu0) / 1e3 / r,
        net.truncatedRecomputations() - c0, net.regionRetries() - x0, net.activeFlows());
    return us;
  }

  public static void main(String[] args) {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int flows = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int ops = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
    int activePeers = args.length > 3 ? Integer.parseInt(args[3]) : hosts;
    if (activePeers * UPLOAD_SLOTS < flows || activePeers < 2 || activePeers > hosts) {
      throw new IllegalArgumentException("activePeers must be in [max(2, flows/4), hosts]");
    }
    System.out.printf(Locale.ROOT,
        "NetworkBench: %d peers + CDN, %d active flows among %d peers, %d steps%n",
        hosts, flows, activePeers, ops);
    NetworkBench b = new NetworkBench(hosts, flows, activePeers, 42);
    System.out.println("warm-up:");
    b.run(ops);
    System.out.println("timed:");
    double us = b.run(ops);
    System.out.printf(Locale.ROOT, "BENCH sim_network_recompute_us %.3f us%n", us);
  }
}
