package dev.chorus.simulator.engine;

/**
 * Receives the events an {@link Engine} pops, one call per event, in time order (FIFO among
 * events at the same time). {@link Engine#now()} is the event's time during the call; the handler
 * schedules follow-up events on the engine.
 *
 * <p>An event is {@code type} dispatched to {@code target} (for example a peer index) with one
 * {@code long} argument (for example a request id, or a small tuple packed with {@link
 * EventArgs}). Meanings of types, targets and arguments are the model's.
 */
@FunctionalInterface
public interface EventHandler {

  /** Handles one event. Exceptions propagate out of {@link Engine#run}. */
  void handle(int type, int target, long arg);
}
