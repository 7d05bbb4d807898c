package dev.chorus.simulator.engine;

/**
 * Told every N events how far a run has got, for a progress bar or a log line. The engine reads
 * no wall clock; a listener that wants rates reads its own. Called on the engine's thread,
 * between two events; it may call {@link Engine#stop()}.
 */
@FunctionalInterface
public interface ProgressListener {

  /**
   * @param nowNanos simulated time of the event just handled
   * @param eventsProcessed events handled since the engine was created
   * @param pendingEvents events queued
   */
  void progress(long nowNanos, long eventsProcessed, int pendingEvents);
}
