package dev.chorus.simulator.scenario;

/** Told now and then how far a run has got; called on the run's thread, must be cheap. */
@FunctionalInterface
public interface SimulationProgress {
  SimulationProgress NONE = (simNanos, durationNanos, events) -> {};

  /** {@code simNanos} of {@code durationNanos} simulated, after {@code events} events. */
  void progress(long simNanos, long durationNanos, long events);
}
