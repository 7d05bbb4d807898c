package dev.chorus.node.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.Priority;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * The shell side of {@link SwarmActions}, in the manner of gRPC-java's transport tests: one suite,
 * run against every shell that hosts a {@link SwarmCore} — the node's runtime (with scripted fakes
 * for its peer network, tracker and origin) and the simulator's driver (with its simulated
 * network). Each shell supplies the same small world: its core (A), a neighbour that holds the
 * track whole and serves it, a second neighbour that holds nothing, a tracker and an origin.
 *
 * <p>What every shell must do: an outcome comes back as a later event, never inside the command
 * (the core's {@code CommandGuard} throws if it does, so every test here checks that too); a chunk
 * acquired is announced to the tracker and told to neighbours as a {@code Have}; a cancelled
 * request delivers nothing afterwards; a disconnect cancels what was outstanding with that peer.
 */
public abstract class SwarmShellContract {
  /** One event for the core, run the way the shell runs its core's events. */
  public interface CoreEvent {
    void run(SwarmCore core, long nowNanos);
  }

  /** A shell under test and the small world around it; see the class comment. */
  public interface Shell {
    TrackId track();

    int chunkCount();

    /** The neighbour that holds the whole track and answers requests for it. */
    NodeId holder();

    /** The neighbour that holds nothing. */
    NodeId listener();

    /** The shell under test, as its core sees it. */
    SwarmActions actions();

    SwarmCore core();

    /** Queues an event for the core, as the shell's own loop would deliver it. */
    void post(CoreEvent event);

    /** Delivers the events due now to the core; the world does not answer yet and time stands still. */
    void deliverPending();

    /** Events waiting for the core, not delivered yet. */
    int pendingEvents();

    /**
     * Lets {@code nanos} of the shell's (injected or simulated) time pass: events are delivered,
     * the neighbours and the origin answer, the core ticks.
     */
    void runFor(long nanos);

    /** The chunks of {@link #track} this shell holds (verified and kept). */
    BitSet held();

    /** Whether the tracker knows this shell's holding of {@code track}. */
    boolean trackerKnows(TrackId track);

    /** How many {@code Have}s for {@code track} reached {@code peer}. */
    int havesReceived(NodeId peer, TrackId track);

    /** {@code peer} hangs up on this shell; what it had already sent may still arrive. */
    void hangUp(NodeId peer);
  }

  protected static final long SECOND = 1_000_000_000L;

  /** A fresh world: A linked to both neighbours, the track's layout known to A. */
  protected abstract Shell newShell();

  @Test
  public void aCommandsOutcomeIsALaterEventNeverPartOfTheCommand() {
    Shell s = newShell();
    int before = s.pendingEvents();
    s.actions().lookup(s.track(), 10);
    s.actions().fetchManifest(s.track());
    s.actions().requestChunks(s.holder(), 1, s.track(), 0, 1, Priority.PLAYBACK);
    s.actions().fetchFromCdn(2, s.track(), 1, 1);
    assertTrue(s.held().isEmpty(), "nothing arrived inside a command");
    assertTrue(s.pendingEvents() >= before, "commands deliver nothing to the core while it runs");
    s.runFor(30 * SECOND); // the outcomes arrive as events; a re-entrant one would throw
  }

  @Test
  public void aPlayedTrackArrivesWholeAndIsAnnouncedAndToldToNeighbours() {
    Shell s = newShell();
    s.post((core, now) -> core.play(s.track(), now));
    s.runFor(120 * SECOND);
    assertEquals(s.chunkCount(), s.held().cardinality(), "the whole track arrived");
    assertTrue(s.trackerKnows(s.track()), "the holding was announced to the tracker");
    assertTrue(s.havesReceived(s.listener(), s.track()) > 0,
        "the neighbour that lacks the track was told with a Have");
  }

  @Test
  public void aCancelledRequestDeliversNothingAfterwards() {
    Shell s = newShell();
    s.post((core, now) -> {
      s.actions().requestChunks(s.holder(), 77, s.track(), 0, 3, Priority.PLAYBACK);
      s.actions().cancelRequest(s.holder(), 77);
    });
    s.runFor(30 * SECOND);
    assertTrue(s.held().isEmpty(), "chunks of a cancelled request were kept: " + s.held());
  }

  @Test
  public void aDisconnectCancelsWhatWasOutstandingWithThatPeer() {
    Shell s = newShell();
    s.post((core, now) -> s.actions().requestChunks(s.holder(), 88, s.track(), 0, 3, Priority.PLAYBACK));
    s.deliverPending(); // the request is on its way
    s.hangUp(s.holder()); // and the holder hangs up before, or while, it answers
    s.runFor(30 * SECOND);
    assertFalse(s.core().isNeighbour(s.holder()), "the core heard of the hang-up");
    assertTrue(s.held().isEmpty(), "chunks of a departed peer were kept: " + s.held());
  }
}
