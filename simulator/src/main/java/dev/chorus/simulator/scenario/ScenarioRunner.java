package dev.chorus.simulator.scenario;

/**
 * Runs one replication of a scenario. Implemented by the swarm driver; the CLI and the
 * replications runner depend only on this.
 */
@FunctionalInterface
public interface ScenarioRunner {
  /**
   * Runs replication {@code replication} (0-based) of {@code scenario}; the same arguments give
   * the same result except {@link RunResult#wallNanos()}.
   */
  RunResult run(Scenario scenario, int replication, SimulationProgress progress);
}
