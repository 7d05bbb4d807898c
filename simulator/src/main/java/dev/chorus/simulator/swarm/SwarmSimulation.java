package dev.chorus.simulator.swarm;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.SimulationProgress;

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
    long wallStart = System.nanoTime();
    World world = new World(scenario, replication);
    world.start();
    long duration = scenario.duration().toNanos();
    world.run((now, events, pending) -> progress.progress(now, duration, events),
        PROGRESS_EVERY_EVENTS);
    progress.progress(duration, duration, world.engine.eventsProcessed());
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
    return new RunResult(scenario, replication, world.streams.masterSeed(), summary,
        m.series(), world.engine.eventsProcessed(), System.nanoTime() - wallStart,
        m.invariantViolation());
  }
}
