package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.wire.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The connection reversals (or, in a second table, the punches) this node has asked its tracker
 * for, so that a refusal ({@code Error} with the request's id) reaches whoever asked. A relayed
 * request is never answered (the holder's connection is the answer), so entries are forgotten
 * after a while and the table is bounded, oldest out. Used only on the client's event loop.
 */
final class Reversals {
  /** Reversals remembered at most; an older one's refusal is then only logged. */
  static final int MAX_PENDING = 256;

  private final Map<Long, Consumer<TrackerException>> pending = new LinkedHashMap<>();
  private long nextId = 1;
  private final String what;
  private final ToLongFunction<dev.chorus.protocol.wire.Error> idOf;

  /** Reversals: refusals carry {@code reversal_id}. */
  Reversals() {
    this("reversal", dev.chorus.protocol.wire.Error::getReversalId);
  }

  /** Requests named {@code what} whose refusals carry the id {@code idOf} reads. */
  Reversals(String what, ToLongFunction<dev.chorus.protocol.wire.Error> idOf) {
    this.what = what;
    this.idOf = idOf;
  }

  /** Registers a reversal; returns its id. */
  long add(Consumer<TrackerException> refused) {
    long id = nextId++;
    pending.put(id, refused);
    if (pending.size() > MAX_PENDING) {
      pending.remove(pending.keySet().iterator().next());
    }
    return id;
  }

  /** Forgets {@code id} (no refusal came in time). */
  void forget(long id) {
    pending.remove(id);
  }

  /** Whether {@code error} answered one of ours; if so, tells whoever asked. */
  boolean refused(dev.chorus.protocol.wire.Error error) {
    long id = idOf.applyAsLong(error);
    Consumer<TrackerException> refused = id == 0 ? null : pending.remove(id);
    if (refused == null) {
      return id != 0; // an old one: nothing to tell, but it is not an announce's error
    }
    refused.accept(new TrackerException(TrackerException.Reason.REFUSED, error.getCode(),
        "the tracker refused the " + what + ": " + error.getCode() + " " + error.getDetail()));
    return true;
  }

  /** The connection ended: every pending reversal fails with {@code code}. */
  void disconnected(ErrorCode code) {
    for (Consumer<TrackerException> refused : pending.values()) {
      refused.accept(new TrackerException(TrackerException.Reason.DISCONNECTED, code, "the tracker connection ended"));
    }
    pending.clear();
  }
}
