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
    return new RunResult(scenario, replication, world.streams.masterSeed(), m.summary(),
        m.series(), world.engine.eventsProcessed(), System.nanoTime() - wallStart,
        m.invariantViolation());
  }
}
