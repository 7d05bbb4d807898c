package dev.chorus.node.internal.core;

import java.util.BitSet;
import java.util.Objects;

/**
 * A peer found by discovery (tracker lookup or overlay answer) and the chunks it says it holds of
 * the track asked for: all of them, or those set in {@code chunks}.
 */
public final class PeerHolding {
  /** The chunks of every complete holding: never modified ({@link #chunks} hands out copies), so shared. */
  private static final BitSet NO_CHUNKS = new BitSet();

  private final PeerContact contact;
  private final boolean complete;
  private final BitSet chunks;

  private PeerHolding(PeerContact contact, boolean complete, BitSet chunks) {
    this.contact = Objects.requireNonNull(contact, "contact");
    this.complete = complete;
    this.chunks = chunks;
  }

  public static PeerHolding complete(PeerContact contact) {
    return new PeerHolding(contact, true, NO_CHUNKS);
  }

  public static PeerHolding partial(PeerContact contact, BitSet chunks) {
    return new PeerHolding(contact, false, (BitSet) chunks.clone());
  }

  public PeerContact contact() {
    return contact;
  }

  public boolean isComplete() {
    return complete;
  }

  /** The held chunks when not complete (a copy). */
  public BitSet chunks() {
    return (BitSet) chunks.clone();
  }
}
