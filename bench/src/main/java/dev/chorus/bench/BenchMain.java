package dev.chorus.bench;

import dev.chorus.bench.chaos.ChaosBench;
import dev.chorus.bench.flood.FloodBench;
import dev.chorus.bench.node.NodeBench;
import dev.chorus.bench.node.StartCostBench;
import dev.chorus.bench.node.StoreReadBench;
import dev.chorus.bench.sim.SimBench;
import dev.chorus.bench.tracker.CompareTracker;
import dev.chorus.bench.tracker.TrackerBench;
import dev.chorus.protocol.noise.NoiseDh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs a named group of benchmarks with bounded, documented settings and ends with one line per
 * figure: {@code BENCH <name> <value> <unit>}. See bench/README.md.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
      System.out.println(usage());
      return;
    }
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(groupUsage(args[0]));
      return;
    }
    boolean quick = List.of(args).contains("--quick");
    switch (args[0]) {
      case "protocol":
        protocol(quick, true);
        break;
      case "handshakes":
        protocol(quick, false);
        break;
      case "aesgcm":
        AesGcmRecordBench.run(quick).forEach(System.out::println);
        break;
      case "records":
        RecordBatchBench.run(quick).forEach(System.out::println);
        break;
      case "compare-tracker":
        try {
          CompareTracker.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        } catch (IllegalArgumentException e) {
          System.err.println(e.getMessage());
          System.exit(2);
        }
        System.exit(0); // the generator's Netty threads are stopped, but do not wait for stragglers
        break;
      case "tracker":
      case "tracker-redis":
        List<String> lines = TrackerBench.run(List.of(args).subList(1, args.length), args[0].equals("tracker-redis"));
        lines.forEach(System.out::println);
        System.exit(0); // the Netty and Lettuce threads are daemons or stopped, but do not wait for stragglers
        break;
      case "tracker-redis-index":
        dev.chorus.bench.tracker.RedisIndexCost.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        System.exit(0); // Lettuce's threads are stopped, but do not wait for stragglers
        break;
      case "chaos":
        ChaosBench.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        System.exit(0); // the nodes' threads are stopped, but do not wait for stragglers
        break;
      case "tracker-flood":
        FloodBench.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        System.exit(0); // the client threads are daemons or stopped, but do not wait for stragglers
        break;
      case "node":
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
          System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // nodes log each start and stop
        }
        NodeBench.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        System.exit(0); // the nodes' threads are stopped, but do not wait for stragglers
        break;
      case "p2p-floor":
        dev.chorus.bench.node.P2pFloorBench.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        break;
      case "store-read":
        StoreReadBench.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        break;
      case "start-cost":
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
          System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // nodes log each start and stop
        }
        StartCostBench.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        System.exit(0); // the node's threads are stopped, but do not wait for stragglers
        break;
      case "core":
        dev.chorus.bench.core.CoreBench.run(quick).forEach(System.out::println);
        break;
      case "sim":
        SimBench.run(List.of(args).subList(1, args.length)).forEach(System.out::println);
        break;
      default:
        System.err.println("unknown benchmark group '" + args[0] + "'; run with --help for the list");
        System.exit(2);
    }
  }

  private static void protocol(boolean quick, boolean framing) throws Exception {
    List<String> lines = new ArrayList<>();
    if (framing) {
      for (RunResult r : run(EncryptedFramingBenchmark.class.getSimpleName(), quick)) {
        String protocol = r.getParams().getParam("protocol");
        String cipher = protocol.contains("ChaCha") ? "chachapoly" : "aesgcm";
        String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
        double opsPerSecond = r.getPrimaryResult().getScore();
        double megabytesPerSecond = opsPerSecond * EncryptedFramingBenchmark.CHUNK_BYTES / 1e6;
        lines.add(String.format(Locale.ROOT, "BENCH framing_%s_16k_%s %.0f MB/s", cipher,
            method.equals("send") ? "encrypt" : "encrypt_decrypt", megabytesPerSecond));
      }
      lines.addAll(AesGcmRecordBench.run(quick));
    }
    // The X25519 implementation is chosen once per JVM: one fork per implementation.
    String chosen = NoiseDh.X25519.implementation();
    List<String> implementations = chosen.equals("libsodium") ? List.of("libsodium", "bouncycastle")
        : List.of("bouncycastle");
    if (!chosen.equals("libsodium")) {
      System.err.println("bench: libsodium is not available here (Debian: apt-get install libsodium23); "
          + "measuring Bouncy Castle's X25519 only");
    }
    double defaultHandshakes = 0;
    for (String implementation : implementations) {
      String property = "-Dchorus.noise.x25519=" + implementation;
      for (RunResult r : run(HandshakeBenchmark.class.getSimpleName(), quick, property)) {
        double score = r.getPrimaryResult().getScore();
        lines.add(String.format(Locale.ROOT, "BENCH noise_xx_handshakes_%s %.0f handshakes/s", implementation, score));
        if (implementation.equals(chosen)) {
          defaultHandshakes = score;
        }
      }
      for (RunResult r : run(X25519Benchmark.class.getSimpleName(), quick, property)) {
        lines.add(String.format(Locale.ROOT, "BENCH x25519_public_key_%s %.1f us", implementation,
            r.getPrimaryResult().getScore()));
      }
    }
    lines.add(String.format(Locale.ROOT, "BENCH noise_xx_handshakes %.0f handshakes/s", defaultHandshakes));
    for (String implementation : implementations) {
      lines.add(String.format(Locale.ROOT, "BENCH noise_xx_handshakes_per_cpu_second_%s %.0f handshakes/s",
          implementation, handshakesPerCpuSecond(implementation, quick)));
    }
    for (String implementation : implementations) {
      String[] responder = inJvm(ResponderCpu.class, implementation, quick);
      lines.add(String.format(Locale.ROOT, "BENCH noise_xx_responder_handshakes_per_cpu_second_%s %s handshakes/s",
          implementation, responder[1]));
      lines.add(String.format(Locale.ROOT, "BENCH noise_xx_accepts_per_cpu_second_%s %s handshakes/s",
          implementation, responder[2]));
    }
    if (chosen.equals("libsodium")) {
      for (RunResult r : run(JnaCallBenchmark.class.getSimpleName(), quick)) {
        lines.add(String.format(Locale.ROOT, "BENCH jna_call_ns %.0f ns", r.getPrimaryResult().getScore()));
      }
    }
    lines.forEach(System.out::println);
  }

  /** {@link HandshakeCpu} in a JVM of its own with X25519 in {@code implementation}. */
  private static double handshakesPerCpuSecond(String implementation, boolean quick) throws Exception {
    String[] out = inJvm(HandshakeCpu.class, implementation, quick);
    return Double.parseDouble(out[1]);
  }

  /**
   * Runs {@code main}'s class in a JVM of its own with X25519 in {@code implementation}; its one
   * line of output, split at spaces (the implementation first).
   */
  private static String[] inJvm(Class<?> main, String implementation, boolean quick) throws Exception {
    String jar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(javaBin, "-Dchorus.noise.x25519=" + implementation, "-cp", jar,
        main.getName(), quick ? "2" : "4", quick ? "3" : "8")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (process.waitFor() != 0 || !out.startsWith(implementation + " ")) {
      throw new IllegalStateException(main.getSimpleName() + " with " + implementation + " failed: '" + out + "'");
    }
    return out.split(" ");
  }

  private static Collection<RunResult> run(String benchmark, boolean quick, String... jvmArgs) throws Exception {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include("dev\\.chorus\\.bench\\." + benchmark + "\\.")
        .jvmArgsAppend(jvmArgs)
        .forks(1)
        .threads(1)
        .shouldDoGC(true);
    return new Runner(iterations(options, quick).build()).run();
  }

  /** The JMH warm-up and measurement iterations of every JMH group: --quick or the default. */
  public static ChainedOptionsBuilder iterations(ChainedOptionsBuilder options, boolean quick) {
    return quick
        ? options.warmupIterations(2).warmupTime(TimeValue.seconds(1))
            .measurementIterations(3).measurementTime(TimeValue.seconds(1))
        : options.warmupIterations(3).warmupTime(TimeValue.seconds(2))
            .measurementIterations(5).measurementTime(TimeValue.seconds(2));
  }
  private static String usage() {
    return "usage: bench/run <group> [--quick] [options]\n"
          + "groups:\n"
          + "  protocol        encrypted framing of 16 KiB chunks (MB/s), AES-GCM records (aesgcm below), Noise XX\n"
          + "                  handshakes (/s) and X25519 (us), the latter with each X25519 implementation (libsodium,\n"
          + "                  Bouncy Castle)\n"
          + "  handshakes      only the handshake and X25519 part of protocol\n"
          + "  aesgcm          only the AES-GCM record part of protocol: one Noise transport record sealed and opened\n"
          + "                  (ns and bytes allocated) in the JDK and in libsodium, 100 B to 16 KiB\n"
          + "  records         messages through two NoiseHandlers, one record each or sharing records between flushes:\n"
          + "                  CPU ns and bytes allocated per message (1,100 B x 16, 16 KiB chunks x 8)\n"
          + "  compare-tracker the Chorus tracker against opentracker, each in its own process (used by bench/compare)\n"
          + "  tracker         tracker with the in-memory index: 1M tracks, 2M peers preloaded; memory per entry,\n"
          + "                  responses/s over real Noise connections, lookup latency at max and half load\n"
          + "  tracker-redis   the same with the Redis index (a redis-server of its own; smaller preload)\n"
          + "  tracker-redis-index  the Redis index alone: CPU (JVM and redis-server) and bytes per lookup and per announce\n"
          + "  tracker-flood   a tracker in its own JVM with a 1 GB heap, flooded for 60 s by a protocol-following attacker\n"
          + "                  (fresh keys on 16 loopback addresses, random ids, partial bitmaps) while a good node is looked up:\n"
          + "                  entries held, accounted bytes, heap after GC, lookups served\n"
          + "  node            real nodes on loopback: peer-to-peer transfer of a 256 MiB track (MB/s, encrypted and\n"
          + "                  verified), time from open to first byte from the cache, a peer and the CDN (p50, p99)\n"
          + "  chaos           a chaos soak of real nodes: 32 nodes (4 as child JVMs), nginx, a tracker, players\n"
          + "                  checking every byte, for 5 minutes of kills, restarts, a corrupting and a stalled peer, an\n"
          + "                  origin outage and a full disk: plays by outcome, unverified bytes, stutters, peer share\n"
          + "  p2p-floor       the least CPU per GB a peer-to-peer chunk costs, part by part: AES-GCM both ways, SHA-256,\n"
          + "                  the event loops' Java work without sockets, a RocksDB store write (with its flush) and read\n"
          + "  store-read      the node's cache: manifest read and first chunk read + verify from RocksDB (p50, p90)\n"
          + "  start-cost      a real node's play start apart from the network: open -> ready wall time and the node's\n"
          + "                  CPU time per start, cached and from an origin on loopback (p50, p90)\n"
          + "  sim             the swarm simulator at 1M peers (every peer runs the node's swarm core) for 20 simulated\n"
          + "                  minutes: events/s, heap per peer, wall time projected to 24 simulated hours\n"
          + "                  (--full: the million scenario to its end, --max-wall-minutes W: sim options below)\n"
          + "  core            the node's swarm core under JMH: an overlay query received (held, absent, forwarded) and a\n"
          + "                  scheduler pass, 50 neighbours holding 10 or 1,000 tracks each: ns and bytes allocated per op\n"
          + "--quick           records: 1 s per case instead of 3;\n"
          + "                  protocol, handshakes, aesgcm: 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement (default: 1 fork, 3 x 2 s, 5 x 2 s);\n"
          + "                  tracker: 3 s warm-up + 5 s measured per phase (default 5 s + 15 s);\n"
          + "                  node: a 128 MiB track, 50 opens per first-byte source (default 256 MiB, 200)\n\n"
          + TrackerBench.usage() + "\n\n"
          + CompareTracker.usage() + "\n\n"
          + FloodBench.usage() + "\n\n"
          + NodeBench.usage() + "\n\n"
          + ChaosBench.usage() + "\n\n"
          + StoreReadBench.usage() + "\n\n"
          + StartCostBench.usage() + "\n\n"
          + SimBench.usage();
  }

  /** A group's own options (what {@code bench/run <group> --help} prints), or the whole usage. */
  private static String groupUsage(String group) {
    switch (group) {
      case "tracker":
      case "tracker-redis":
        return TrackerBench.usage();
      case "tracker-redis-index":
        return dev.chorus.bench.tracker.RedisIndexCost.usage();
      case "compare-tracker":
        return CompareTracker.usage();
      case "tracker-flood":
        return FloodBench.usage();
      case "node":
        return NodeBench.usage();
      case "chaos":
        return ChaosBench.usage();
      case "p2p-floor":
        return dev.chorus.bench.node.P2pFloorBench.usage();
      case "store-read":
        return StoreReadBench.usage();
      case "start-cost":
        return StartCostBench.usage();
      case "sim":
        return SimBench.usage();
      default:
        return usage();
    }
  }
}
