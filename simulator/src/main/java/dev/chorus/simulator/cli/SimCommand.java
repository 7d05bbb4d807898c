package dev.chorus.simulator.cli;

import dev.chorus.simulator.scenario.Replications;
import dev.chorus.simulator.scenario.ResultsWriter;
import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.ScenarioException;
import dev.chorus.simulator.scenario.ScenarioFile;
import dev.chorus.simulator.scenario.ScenarioRunner;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code chorus sim}: runs simulation scenarios. Its one subcommand, {@code run}, reads a scenario
 * file, runs replications in parallel, writes a results directory and prints a table.
 *
 * <p>Exit codes: 0 done; 2 bad usage or a bad scenario (the message names the key); 3 a
 * replication broke the byte-accounting invariant (results are still written); 1 anything else.
 */
@Command(
    name = "chorus sim",
    mixinStandardHelpOptions = true,
    versionProvider = SimCommand.Version.class,
    usageHelpAutoWidth = true,
    description = {
      "Runs the swarm simulator: a discrete-event simulation of many peers running the node's swarm "
          + "core against the tracker's index, under a listening workload and a network model.",
      ""
    },
    footer = {"", "Scenario keys: " + ScenarioFile.DOCS + ". Scenarios: simulator/scenarios/."})
public final class SimCommand implements Runnable {
  static final int EXIT_OK = 0;
  static final int EXIT_ERROR = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_INVARIANT = 3;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: run or note");
  }

  /** Runs the command line with the terminal's streams and returns the exit code. */
  public static int execute(ScenarioRunner runner, String... args) {
    Charset cs = Charset.defaultCharset();
    return execute(runner, new PrintWriter(new OutputStreamWriter(System.out, cs), true),
        new PrintWriter(new OutputStreamWriter(System.err, cs), true),
        Clock.systemDefaultZone(), System.console() != null, args);
  }

  /**
   * Runs the command line with the given streams, clock (for the default results directory's
   * name) and whether stderr is a terminal (a live progress line rather than one line per 10%).
   */
  static int execute(ScenarioRunner runner, PrintWriter out, PrintWriter err, Clock clock,
      boolean terminal, String... args) {
    CommandLine cl = new CommandLine(new SimCommand())
        .addSubcommand("run", new RunCommand(runner, clock, terminal))
        .addSubcommand("note", new NoteCommand());
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"chorus sim " + ResultsWriter.chorusVersion()};
    }
  }

  /** {@code chorus sim run}. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      versionProvider = SimCommand.Version.class,
      sortOptions = false,
      usageHelpAutoWidth = true,
      description = {
        "Runs a scenario file: N replications in parallel, then writes manifest.json, summary.json, "
            + "timeseries.csv and plots (PNG and SVG) into the results directory and prints each "
            + "summary metric as mean ± 95%% confidence interval.",
        ""
      },
      footer = {"",
        "Exit codes: 0 done, 2 bad usage or scenario, 3 invariant violated (results written), 1 other errors.",
        "Keys, defaults and allowed values: " + ScenarioFile.DOCS})
  static final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "The scenario file (key = value lines).")
    Path scenarioFile;

    @Option(names = {"-n", "--replications"}, paramLabel = "N", defaultValue = "1",
        description = "Independent replications, seeds derived from sim.seed (default: ${DEFAULT-VALUE}).")
    int replications;

    @Option(names = {"-t", "--threads"}, paramLabel = "T",
        description = "Replications run at once (default: the processors, at most N).")
    Integer threads;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
        description = "Results directory (default: results/<sim.name>-<yyyyMMdd-HHmmss>).")
    Path out;

    @Option(names = "--seed", paramLabel = "S", description = "Overrides sim.seed.")
    Long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Overrides a key of the file; repeatable (e.g. --set sim.peers=5000).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--force", description = "Write into a results directory that is not empty.")
    boolean force;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    private final ScenarioRunner runner;
    private final Clock clock;
    private final boolean terminal;

    RunCommand(ScenarioRunner runner, Clock clock, boolean terminal) {
      this.runner = runner;
      this.clock = clock;
      this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
      PrintWriter stdout = spec.commandLine().getOut();
      PrintWriter stderr = spec.commandLine().getErr();
      checkCounts();
      Scenario scenario;
      try {
        scenario = ScenarioFile.read(scenarioFile, overrides());
      } catch (ScenarioException e) {
        stderr.println("chorus sim: " + e.getMessage());
        return EXIT_USAGE;
      }
      Path dir = out != null ? out : defaultDirectory(scenario);
      boolean dirExisted = Files.exists(dir);
      try {
        ResultsWriter.prepare(dir, force);
      } catch (IOException e) {
        stderr.println("chorus sim: cannot write results: " + e.getMessage());
        return EXIT_USAGE;
      }
      int poolThreads = threads != null ? threads
          : Math.min(replications, Runtime.getRuntime().availableProcessors());
      if (!quiet) {
        stderr.printf(Locale.ROOT,
            "chorus sim: %s, %d peers, %s simulated, seed %d; %d replication%s on %d thread%s; "
                + "results in %s%n", scenario.name(), scenario.peers(),
            ScenarioFile.effectiveValues(scenario).get("sim.duration"), scenario.seed(),
            replications, replications == 1 ? "" : "s", poolThreads, poolThreads == 1 ? "" : "s",
            dir);
      }
      Instant started = clock.instant();
      ProgressBar bar = new ProgressBar(stderr, replications, terminal, quiet, System::nanoTime);
      List<RunResult> results;
      try {
        results = new Replications(runner, poolThreads).run(scenario, replications, bar::forReplication);
      } catch (Replications.ReplicationException e) {
        bar.finish();
        stderr.println("chorus sim: replication " + e.replication() + " failed: " + e.getCause());
        e.getCause().printStackTrace(stderr);
        if (!dirExisted) {
          removeIfEmpty(dir);
        }
        return EXIT_ERROR;
      }
      bar.finish();
      Map<String, Replications.Stats> stats = Replications.statistics(results);
      ResultsWriter.write(dir, scenario, results, stats, started);
      stdout.print(SummaryTable.render(stats, results.size()));
      stdout.println("results: " + dir);
      stdout.flush();
      return invariantStatus(results, dir, stderr);
    }

    /** A failed run leaves no empty results directory behind (one it did not find there). */
    private static void removeIfEmpty(Path dir) {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        // not empty after all, or not ours to remove: leave it
      }
    }

    private void checkCounts() {
      if (replications < 1) {
        throw new ParameterException(spec.commandLine(),
            "--replications must be at least 1, was " + replications);
      }
      if (threads != null && threads < 1) {
        throw new ParameterException(spec.commandLine(), "--threads must be at least 1, was " + threads);
      }
    }

    /** {@code --set} pairs in order (a later one for the same key wins), then {@code --seed}. */
    private Map<String, String> overrides() {
      Map<String, String> m = new LinkedHashMap<>();
      for (String s : sets) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new ParameterException(spec.commandLine(),
              "--set wants KEY=VALUE (e.g. --set sim.peers=5000), got '" + s + "'");
        }
        m.put(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
      }
      if (seed != null) {
        m.put("sim.seed", Long.toString(seed));
      }
      return m;
    }

    private Path defaultDirectory(Scenario scenario) {
      String name = scenario.name().replaceAll("[^A-Za-z0-9._-]+", "-");
      String stamp = LocalDateTime.now(clock).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      return Path.of("results", name + "-" + stamp);
    }

    private static int invariantStatus(List<RunResult> results, Path dir, PrintWriter stderr) {
      int status = EXIT_OK;
      for (RunResult r : results) {
        if (r.invariantViolation() != null) {
          stderr.println("chorus sim: invariant violated in replication " + r.replication()
              + " (seed " + r.seed() + "): " + r.invariantViolation());
          status = EXIT_INVARIANT;
        }
      }
      if (status != EXIT_OK) {
        stderr.println("chorus sim: the results are written to " + dir + " all the same");
      }
      stderr.flush();
      return status;
    }
  }
}
