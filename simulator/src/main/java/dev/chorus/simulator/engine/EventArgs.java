package dev.chorus.simulator.engine;

/**
 * Packs two {@code int}s into an event's {@code long} argument and back, for example (generation,
 * request id) or (peer, chunk), so that a small tuple travels without an object.
 */
public final class EventArgs {

  private EventArgs() {}

  /** {@code high} in the upper 32 bits, {@code low} in the lower 32. */
  public static long pack(int high, int low) {
    return ((long) high << 32) | (low & 0xFFFF_FFFFL);
  }

  /** The {@code high} half of {@link #pack}. */
  public static int high(long packed) {
    return (int) (packed >>> 32);
  }

  /** The {@code low} half of {@link #pack}. */
  public static int low(long packed) {
    return (int) packed;
  }
}
