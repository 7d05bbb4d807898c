package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import java.util.List;

/**
 * Sends the holdings changes {@link HoldingsChanges} has batched, once they are due: withdrawals
 * and announcements to the tracker, and a HAVE per announced track to every neighbour (so that
 * neighbours learn of new holdings without waiting for a tracker lookup).
 */
final class HoldingsFlush {
  private final CommandGuard actions;
  private final HoldingsChanges holdings;
  private final Neighbourhood neighbours;

  HoldingsFlush(CommandGuard actions, HoldingsChanges holdings, Neighbourhood neighbours) {
    this.actions = actions;
    this.holdings = holdings;
    this.neighbours = neighbours;
  }

  /** Sends the changes if they are due at {@code nowNanos}. */
  void flushIfDue(long nowNanos) {
    HoldingsChanges.Flush f = holdings.takeIfDue(nowNanos);
    if (f == null) {
      return;
    }
    if (!f.withdraw().isEmpty()) {
      actions.withdraw(f.withdraw());
    }
    List<TrackId> announce = f.announce();
    if (!announce.isEmpty()) {
      actions.announce(announce);
      for (Neighbour n : neighbours.all()) {
        // by index (List.copyOf: random access): an iterator per neighbour was what a flush allocated
        for (int i = 0; i < announce.size(); i++) {
          actions.sendHave(n.id, announce.get(i));
        }
      }
    }
  }
}
