package dev.chorus.simulator.swarm;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.SimulationProgress;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs a scenario: a population of peers, each online one running the node's own swarm core,
 * with the tracker's own peer index and ranking, over the flow network model. See {@link World}
 * for how the pieces fit and {@code simulator/docs/driver.md} for what is modelled and what is not.
 */
public final class SwarmSimulation {
  private static final long PROGRESS_EVERY_EVENTS = 200_000;

  private SwarmSimulation() {}

  /**
   * Runs replication {@code replication} of {@code scenario}. Deterministic: the same scenario,
   * replication and build give the same result, apart from {@link RunResult#wallNanos()}.
   */
  public static RunResult run(Scenario scenario, int replication, SimulationProgress progress) {
    return run(scenario, replication, progress, () -> false);
  }

  /**
   * Runs replication {@code replication} of {@code scenario} until its end or until {@code stop}
   * says so; it is asked with each progress report (every 200,000 events). A stopped run's result
   * covers the simulated time reached, which the last progress report gives (a benchmark's wall
   * bound: bench/README.md, "sim").
   */
  public static RunResult run(Scenario scenario, int replication, SimulationProgress progress,
      BooleanSupplier stop) {
    return run(scenario, replication, progress, stop, census -> { });
  }

  /**
   * As {@link #run(Scenario, int, SimulationProgress, BooleanSupplier)}, and hands the run's
   * {@link EventCensus} (events by kind) to {@code census} at the end.
   */
  public static RunResult run(Scenario scenario, int replication, SimulationProgress progress,
      BooleanSupplier stop, Consumer<EventCensus> census) {
    long wallStart = System.nanoTime();
    World world = new World(scenario, replication);
    world.start();
    long duration = scenario.duration().toNanos();
    world.run((now, events, pending) -> {
      progress.progress(now, duration, events);
      if (stop.getAsBoolean()) {
        world.engine.stop();
      }
    }, PROGRESS_EVERY_EVENTS);
    long reached = world.engine.now() < duration ? world.engine.now() : duration;
    progress.progress(reached, duration, world.engine.eventsProcessed());
    census.accept(world.census);
    Metrics m = world.metrics;
    java.util.Map<String, Double> summary = m.summary();
    summary.put(RunResult.PEER_CRASHES, (double) world.crashes);
    summary.put(RunResult.PEER_SLOW_SPELLS, (double) world.slowSpells);
    summary.put(RunResult.SLOW_START_DELAYS, (double) world.slowStartDelays);
    summary.put(RunResult.HISTORY_DAYS, (double) world.history.days());
    summary.put(RunResult.HISTORY_CONVERGED, world.history.converged() ? 1.0 : 0.0);
    summary.put(RunResult.HISTORY_DAYS_TO_CONVERGE, (double) world.history.daysToConverge());
    summary.put(RunResult.HISTORY_CACHE_SHARE_FIRST_DAY, world.history.firstDay());
    summary.put(RunResult.HISTORY_CACHE_SHARE_LAST_DAY, world.history.lastDay());
    summary.put(RunResult.HISTORY_LAST_CHANGE, world.history.lastChange());
    if (world.repeats != null) { // only then, so that runs without repeats report what they did
      summary.put(RunResult.REPEAT_SHARE_OF_PLAYS,
          world.playsAsked == 0 ? 0 : (double) world.repeatPlays / world.playsAsked);
      summary.put(RunResult.DISCOVERY_DROPS, (double) world.discoveryDrops);
    }
    return new RunResult(scenario, replication, world.streams.masterSeed(), summary,
        m.series(), world.engine.eventsProcessed(), System.nanoTime() - wallStart,
        m.invariantViolation());
  }
}
