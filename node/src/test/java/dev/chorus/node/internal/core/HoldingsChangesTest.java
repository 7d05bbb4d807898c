package dev.chorus.node.internal.core;

import static dev.chorus.node.internal.core.SwarmCoreTest.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HoldingsChangesTest {
  static final long S = 1_000_000_000L;
  final HoldingsChanges changes = new HoldingsChanges();

  @Test
  void nothingChangedNothingToSend() {
    assertFalse(changes.pending());
    assertNull(changes.takeIfDue(0));
  }

  @Test
  void changesAreBatchedAtMostOncePerInterval() {
    changes.grew(track(1));
    HoldingsChanges.Flush first = changes.takeIfDue(10 * S);
    assertEquals(List.of(track(1)), first.announce());
    changes.grew(track(1));
    changes.grew(track(2));
    changes.grew(track(1));
    assertNull(changes.takeIfDue(10 * S + HoldingsChanges.INTERVAL_NANOS - 1), "too soon");
    assertTrue(changes.pending());
    HoldingsChanges.Flush second = changes.takeIfDue(10 * S + HoldingsChanges.INTERVAL_NANOS);
    assertEquals(List.of(track(1), track(2)), second.announce(), "each track once, in order");
    assertFalse(changes.pending());
  }

  @Test
  void theLastChangeOfATrackWins() {
    changes.grew(track(1));
    changes.went(track(1));
    changes.went(track(2));
    changes.grew(track(2));
    HoldingsChanges.Flush f = changes.takeIfDue(0);
    assertEquals(List.of(track(2)), f.announce());
    assertEquals(List.of(track(1)), f.withdraw());
  }
}
