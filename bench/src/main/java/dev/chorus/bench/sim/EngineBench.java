package dev.chorus.bench.sim;

import dev.chorus.simulator.engine.Engine;
import dev.chorus.simulator.engine.EventHandler;
import dev.chorus.simulator.engine.EventQueue;
import dev.chorus.simulator.engine.RandomStreams;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A quick micro-benchmark of the engine alone: the classic "hold" model. The queue is filled with
 * {@code P} pending events; each event handled schedules one more at {@code now + U(0, 2 × mean)},
 * so {@code P} stays constant and every event costs one pop, one push and one dispatch. Run at
 * three queue sizes, each with a warm-up, for about 20 s in all:
 *
 * <pre>
 * java -Xmx2g -cp bench/target/chorus-bench.jar dev.chorus.bench.sim.EngineBench [secondsPerSize]
 * </pre>
 *
 * Prints {@code BENCH} lines; the headline {@code sim_engine_events_per_sec} is measured with 10
 * million events pending (a million peers with ten timers each), the others with 10 thousand (the
 * queue fits in cache) and 1 million. The engine reads no clock; this harness does, between
 * chunks of a million events.
 */
public final class EngineBench {

  private static final int TYPES = 8;
  private static final int PEERS = 1_000_000;
  private static final long MEAN_DELAY_NANOS = 1_000_000_000L; // 1 s between a peer's events

  private EngineBench() {}

  /** The model: every event re-schedules one event for a random peer, a random delay later. */
  private static final class Hold implements EventHandler {
    private final Engine engine;
    private final SplittableRandom rng;
    long checksum;

    Hold(Engine engine, SplittableRandom rng) {
      this.engine = engine;
      this.rng = rng;
    }

    @Override
    public void handle(int type, int target, long arg) {
      checksum += arg ^ target;
      long r = rng.nextLong();
      long delay = (r >>> 1) % (2 * MEAN_DELAY_NANOS);
      engine.scheduleIn(delay, (type + 1) & (TYPES - 1), (int) ((r & 0x7FFF_FFFFL) % PEERS), r);
    }
  }

  /** Runs the hold model with {@code pending} events; returns events per second. */
  static double measure(int pending, double warmupSeconds, double measureSeconds) {
    RandomStreams streams = new RandomStreams(1);
    SplittableRandom fill = streams.stream("fill");
    Engine engine = new Engine(TYPES);
    for (int i = 0; i < pending; i++) {
      engine.schedule(fill.nextLong(2 * MEAN_DELAY_NANOS), i & (TYPES - 1), i % PEERS, i);
    }
    Hold hold = new Hold(engine, streams.stream("delays"));
    final long chunk = 1_000_000;
    runFor(engine, hold, chunk, warmupSeconds);
    long events0 = engine.eventsProcessed();
    long elapsed = runFor(engine, hold, chunk, measureSeconds);
    long events = engine.eventsProcessed() - events0;
    if (engine.pending() != pending) {
      throw new AssertionError("pending drifted: " + engine.pending() + " != " + pending);
    }
    double rate = events / (elapsed / 1e9);
    System.out.printf(
        Locale.ROOT,
        "  pending %,d: %,d events in %.2f s (%.1f ns/event), queue %,d MB, simulated %.1f s,"
            + " checksum %x%n",
        pending,
        events,
        elapsed / 1e9,
        elapsed / (double) events,
        engine.queueBytes() >> 20,
        engine.now() / 1e9,
        hold.checksum);
    return rate;
  }

  private static long runFor(Engine engine, Hold hold, long chunk, double seconds) {
    long start = System.nanoTime();
    long budget = (long) (seconds * 1e9);
    long elapsed;
    do {
      engine.run(Long.MAX_VALUE, chunk, hold);
      elapsed = System.nanoTime() - start;
    } while (elapsed < budget);
    return elapsed;
  }

  /** Entry point; the optional argument scales the seconds spent per queue size (default 5). */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5.0;
    double warmup = seconds * 0.3;
    double measure = seconds * 0.7;
    System.out.printf(
        Locale.ROOT,
        "EngineBench: hold model, %d B per pending event, %s, %d cores, max heap %,d MB%n",
        EventQueue.BYTES_PER_EVENT,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    double small = measure(10_000, warmup, measure);
    double million = measure(1_000_000, warmup, measure);
    double tenMillion = measure(10_000_000, warmup, measure);
    System.out.printf(Locale.ROOT, "BENCH sim_engine_events_per_sec_pending_10k %.0f events/s%n", small);
    System.out.printf(Locale.ROOT, "BENCH sim_engine_events_per_sec_pending_1m %.0f events/s%n", million);
    System.out.printf(Locale.ROOT, "BENCH sim_engine_events_per_sec %.0f events/s%n", tenMillion);
  }
}
