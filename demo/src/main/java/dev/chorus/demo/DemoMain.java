package dev.chorus.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import dev.chorus.protocol.time.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chorus demo}: a swarm of real nodes on loopback, a listening workload, a table at the end. */
@Command(
    name = "chorus demo",
    mixinStandardHelpOptions = true,
    versionProvider = DemoMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    customSynopsis = "chorus demo [OPTIONS]",
    description = {
      "Generates a small catalog of real audio files (WAV tones, no tools needed), starts an origin, a tracker "
          + "and a swarm of nodes in this process on loopback (each node with its own RocksDB cache), and lets "
          + "a listener play through every node: popular tracks more often, sessions of several tracks, skips. "
          + "Shows progress while it runs, serves the tracker's and nodes' /metrics, and ends with a table of "
          + "where the bytes came from.",
      "",
      "Point a player at the stream URL it prints to listen along. Ctrl-C stops early (the table is still shown).",
      ""
    },
    footer = {"", "Durations: 90s, 2m, 1500ms or ISO-8601 (PT2M). Docs: demo/README.md"})
public final class DemoMain implements Callable<Integer> {
  @Option(names = "--nodes", description = "Nodes in the swarm (default: ${DEFAULT-VALUE}).", defaultValue = "12")
  int nodes;

  @Option(names = "--tracks", description = "Tracks in the catalog, 1-2 minutes each (default: ${DEFAULT-VALUE}).",
      defaultValue = "20")
  int tracks;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long the listeners play, in wall-clock time (default: ${DEFAULT-VALUE}).",
      defaultValue = "120s")
  Duration duration;

  @Option(names = "--speed", paramLabel = "FACTOR",
      description = "Playback rate: 1 is real time, 8 plays eight seconds of audio per second (default: ${DEFAULT-VALUE}).",
      defaultValue = "8")
  double speed;

  @Option(names = "--seed", description = "Seed of the audio, popularity, sessions and skips (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  long seed;

  @Option(names = "--dir", paramLabel = "PATH",
      description = "Where the catalog and the node caches go (default: a temporary directory, deleted at the end "
          + "unless --keep). A directory you name is kept, and its caches are used again by the next run.")
  Path dir;

  @Option(names = "--keep", description = "Keep the temporary directory at the end.")
  boolean keep;

  @Option(names = "--cache-mb", paramLabel = "MB", description = "Cache capacity of each node (default: ${DEFAULT-VALUE}).",
      defaultValue = "200")
  long cacheMegabytes;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Port of /metrics on 127.0.0.1 (default: a free one, printed at start).", defaultValue = "0")
  int metricsPort;

  @Option(names = "--page-port", paramLabel = "PORT",
      description = "Port of the demo page on 127.0.0.1 (default: a free one, printed at start).", defaultValue = "0")
  int pagePort;

  @Option(names = "--linger", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long the demo page stays up after the run, with the final table (default: ${DEFAULT-VALUE}; "
          + "0s: stop at once). Ctrl-C ends it sooner.", defaultValue = "5m")
  Duration linger;

  @Spec
  CommandSpec spec;

  private final PrintStream out;

  DemoMain(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(System.out, args));
  }

  /** Runs the command line, printing to {@code out}, and returns the exit code. */
  static int run(PrintStream out, String... args) {
    return new CommandLine(new DemoMain(out)).setOut(new java.io.PrintWriter(out, true)).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    DemoOptions options;
    try {
      options = new DemoOptions(nodes, tracks, duration, speed, seed, Optional.ofNullable(dir), keep,
          Math.multiplyExact(cacheMegabytes, 1_000_000L), metricsPort);
      if (pagePort < 0 || pagePort > 65535) {
        throw new IllegalArgumentException("--page-port must be in 0..65535, was " + pagePort);
      }
      if (linger.isNegative()) {
        throw new IllegalArgumentException("--linger must not be negative, was " + linger);
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      spec.commandLine().getErr().println("chorus demo: " + e.getMessage() + " (see --help)");
      return 2;
    }
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> { // Ctrl-C: stop the listeners, let run() print and clean up
      stop.set(true);
      try {
        finished.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "chorus-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    DemoPage page = null;
    try {
      page = DemoPage.start(pagePort);
      out.println("demo page: " + page.url() + "  (the swarm, live, in a browser)");
      DemoReport report = Demo.run(options, out, System.console() != null, stop, page);
      out.println();
      out.print(report.table());
      if (stop.get()) {
        out.printf(Locale.ROOT, "(stopped early, after %d s of listening)%n", Math.round(report.elapsedNanos() / 1e9));
      }
      linger(page, stop);
      out.flush();
      return 0;
    } finally {
      if (page != null) {
        page.close();
      }
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down (Ctrl-C): the hook returns now that we are done
      }
    }
  }

  /** Keeps the page up for {@code --linger}, or until Ctrl-C. */
  private void linger(DemoPage page, AtomicBoolean stop) throws InterruptedException {
    if (linger.isZero() || stop.get()) {
      return;
    }
    out.printf(Locale.ROOT, "%nthe demo page stays at %s for %s with this table; Ctrl-C to stop sooner%n", page.url(),
        Durations.format(linger));
    out.flush();
    long end = System.nanoTime() + linger.toNanos();
    while (!stop.get() && System.nanoTime() < end) {
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  /** Durations in the grammar every Chorus command and scenario file shares ({@link Durations}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration (e.g. 90s, 2m, 1500ms or PT2M)");
      }
    }
  }

  /** Version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = DemoMain.class.getPackage().getImplementationVersion();
      return new String[] {"chorus demo " + (v == null ? "development" : v)};
    }
  }
}
