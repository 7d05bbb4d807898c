package dev.chorus.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.simulator.engine.Engine.StopReason;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EngineTest {

  private static final EventHandler IGNORE = (type, target, arg) -> {};

  // ---------------------------------------------------------------- determinism

  /**
   * A small random model: each event may schedule follow-ups (some at the same instant, to
   * exercise FIFO), with delays, types and targets drawn from per-concern streams. Its trace is
   * hashed over every popped (time, type, target, arg).
   */
  private static final class ScriptedModel implements EventHandler {
    static final int TYPES = 5;
    final Engine engine;
    final SplittableRandom delays;
    final SplittableRandom fanout;
    final SplittableRandom[] perTarget;
    long hash = 1;

    ScriptedModel(Engine engine, long seed, int targets) {
      this.engine = engine;
      RandomStreams streams = new RandomStreams(seed);
      this.delays = streams.stream("network");
      this.fanout = streams.stream("workload");
      this.perTarget = new SplittableRandom[targets];
      for (int i = 0; i < targets; i++) {
        perTarget[i] = streams.stream("peer", i);
      }
      for (int i = 0; i < targets; i++) {
        engine.schedule(perTarget[i].nextLong(1_000_000), i % TYPES, i, i);
      }
    }

    @Override
    public void handle(int type, int target, long arg) {
      hash = 31 * hash + RandomStreams.mix64(engine.now());
      hash = 31 * hash + type;
      hash = 31 * hash + target;
      hash = 31 * hash + RandomStreams.mix64(arg);
      int children = fanout.nextInt(3); // 0, 1 or 2: the population random-walks
      for (int c = 0; c < children; c++) {
        long delay = delays.nextInt(4) == 0 ? 0 : delays.nextLong(10_000_000);
        int next = perTarget[target].nextInt(perTarget.length);
        engine.scheduleIn(delay, (type + c + 1) % TYPES, next, perTarget[next].nextLong());
      }
      if (engine.pending() == 0) {
        engine.scheduleIn(1, 0, target, arg);
      }
    }
  }

  private static ScriptedModel runScript(long seed, int initialCapacity) {
    Engine engine = new Engine(ScriptedModel.TYPES, initialCapacity, 0);
    ScriptedModel model = new ScriptedModel(engine, seed, 1000);
    StopReason reason = engine.run(Long.MAX_VALUE, 500_000, model);
    assertEquals(StopReason.EVENT_LIMIT, reason);
    return model;
  }

  @Test
  void sameSeedGivesBitIdenticalTrace() {
    ScriptedModel a = runScript(42, 16);
    ScriptedModel b = runScript(42, 16);
    assertEquals(a.hash, b.hash);
    assertEquals(a.engine.now(), b.engine.now());
    assertEquals(a.engine.eventsScheduled(), b.engine.eventsScheduled());
    assertArrayEquals(a.engine.eventsProcessedByType(), b.engine.eventsProcessedByType());
    assertEquals(500_000, a.engine.eventsProcessed());
  }

  @Test
  void traceDoesNotDependOnQueueCapacityOrGrowth() {
    assertEquals(runScript(42, 1).hash, runScript(42, 1 << 20).hash);
  }

  @Test
  void differentSeedsGiveDifferentTraces() {
    assertNotEquals(runScript(42, 16).hash, runScript(43, 16).hash);
  }

  /**
   * Pins the trace of seed 42 to a constant, so that any change to the event order, the queue or
   * the random streams, in this code or the JDK, shows up as a failure rather than as silently
   * different results. If a change is intended, update the constant and say so in the change.
   */
  @Test
  void traceOfSeed42IsPinned() {
    assertEquals(GOLDEN_TRACE_SEED_42, runScript(42, 16).hash);
  }

  private static final long GOLDEN_TRACE_SEED_42 = -7769696976107752723L;

  // ---------------------------------------------------------------- ordering and clock

  @Test
  void handlesInTimeOrderFifoAmongEqualTimesAndAdvancesTheClock() {
    Engine engine = new Engine(1);
    engine.schedule(30, 0, 3, 0);
    engine.schedule(10, 0, 1, 0);
    engine.schedule(10, 0, 2, 0);
    engine.schedule(20, 0, 4, 0);
    engine.schedule(10, 0, 5, 0);
    List<String> seen = new ArrayList<>();
    StopReason reason =
        engine.run(Long.MAX_VALUE, (type, target, arg) -> seen.add(engine.now() + ":" + target));
    assertEquals(StopReason.QUEUE_EMPTY, reason);
    assertEquals(List.of("10:1", "10:2", "10:5", "20:4", "30:3"), seen);
    assertEquals(30, engine.now());
  }

  @Test
  void eventScheduledForNowRunsAfterThoseAlreadyQueuedForNow() {
    Engine engine = new Engine(2);
    engine.schedule(5, 0, 1, 0);
    engine.schedule(5, 0, 2, 0);
    List<Integer> seen = new ArrayList<>();
    engine.run(
        100,
        (type, target, arg) -> {
          seen.add(target);
          if (target == 1) {
            engine.scheduleIn(0, 1, 3, 0);
          }
        });
    assertEquals(List.of(1, 2, 3), seen);
  }

  @Test
  void schedulingInThePastIsAnErrorNamingBothTimes() {
    Engine engine = new Engine(1);
    engine.schedule(1_000, 0, 0, 0);
    engine.run(Long.MAX_VALUE, IGNORE);
    assertEquals(1_000, engine.now());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> engine.schedule(999, 0, 7, 0));
    assertTrue(e.getMessage().contains("999"), e.getMessage());
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
    assertEquals(0, engine.pending());
    engine.schedule(1_000, 0, 0, 0); // now itself is allowed
  }

  @Test
  void scheduleInRejectsNegativeDelayAndOverflow() {
    Engine engine = new Engine(1, 16, 10);
    assertThrows(IllegalArgumentException.class, () -> engine.scheduleIn(-1, 0, 0, 0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> engine.scheduleIn(Long.MAX_VALUE, 0, 0, 0));
    assertTrue(e.getMessage().contains("overflow"), e.getMessage());
    assertEquals(0, engine.pending());
    engine.scheduleIn(5, 0, 0, 0);
    engine.run(Long.MAX_VALUE, IGNORE);
    assertEquals(15, engine.now());
  }

  @Test
  void rejectsUnknownEventTypes() {
    Engine engine = new Engine(3);
    assertThrows(IllegalArgumentException.class, () -> engine.schedule(0, 3, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> engine.schedule(0, -1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Engine(0));
    assertThrows(IllegalArgumentException.class, () -> new Engine(1, 16, -1));
  }

  // ---------------------------------------------------------------- stop conditions

  @Test
  void timeLimitIncludesTheHorizonAndAdvancesTheClockToIt() {
    Engine engine = new Engine(1);
    for (long t = 0; t <= 100; t += 10) {
      engine.schedule(t, 0, (int) t, 0);
    }
    List<Integer> seen = new ArrayList<>();
    EventHandler h = (type, target, arg) -> seen.add(target);
    assertEquals(StopReason.TIME_LIMIT, engine.run(55, h));
    assertEquals(55, engine.now());
    assertEquals(List.of(0, 10, 20, 30, 40, 50), seen);
    assertEquals(StopReason.TIME_LIMIT, engine.run(60, h));
    assertEquals(60, seen.get(seen.size() - 1));
    assertThrows(IllegalArgumentException.class, () -> engine.run(59, h));
    assertEquals(StopReason.QUEUE_EMPTY, engine.run(Long.MAX_VALUE, h));
    assertEquals(100, engine.now());
    assertEquals(11, engine.eventsProcessed());
  }

  @Test
  void eventLimitAndStop() {
    Engine engine = new Engine(1);
    EventHandler tick = (type, target, arg) -> engine.scheduleIn(1, 0, target + 1, 0);
    engine.schedule(0, 0, 0, 0);
    assertEquals(StopReason.EVENT_LIMIT, engine.run(Long.MAX_VALUE, 10, tick));
    assertEquals(10, engine.eventsProcessed());
    assertEquals(9, engine.now());
    assertEquals(
        StopReason.STOPPED,
        engine.run(
            Long.MAX_VALUE,
            (type, target, arg) -> {
              tick.handle(type, target, arg);
              if (target == 14) {
                engine.stop();
              }
            }));
    assertEquals(15, engine.eventsProcessed());
    assertEquals(14, engine.now());
    assertEquals(1, engine.pending());
    // a stop request does not outlive its run
    assertEquals(StopReason.EVENT_LIMIT, engine.run(Long.MAX_VALUE, 3, tick));
  }

  @Test
  void runIsNotReentrant() {
    Engine engine = new Engine(1);
    engine.schedule(0, 0, 0, 0);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> engine.run(Long.MAX_VALUE, (type, target, arg) -> engine.run(10, IGNORE)));
    assertTrue(e.getMessage().contains("inside a run"));
    // the engine stays usable after a handler threw
    engine.schedule(5, 0, 0, 0);
    assertEquals(StopReason.QUEUE_EMPTY, engine.run(Long.MAX_VALUE, IGNORE));
    assertEquals(2, engine.eventsProcessed());
  }

  // ---------------------------------------------------------------- counters and progress

  @Test
  void countsPerTypeScheduledAndPeakPendingIn64Bits() {
    Engine engine = new Engine(3);
    for (int i = 0; i < 30; i++) {
      engine.schedule(i, i % 3 == 0 ? 0 : 2, i, 0);
    }
    assertEquals(30, engine.peakPending());
    engine.run(Long.MAX_VALUE, IGNORE);
    assertArrayEquals(new long[] {10, 0, 20}, engine.eventsProcessedByType());
    assertEquals(20, engine.eventsProcessed(2));
    assertEquals(30, engine.eventsProcessed());
    assertEquals(30, engine.eventsScheduled());
    assertEquals(30, engine.peakPending());
    assertEquals(0, engine.pending());
    assertTrue(engine.queueBytes() >= 30L * EventQueue.BYTES_PER_EVENT);
  }

  @Test
  void progressEveryNEvents() {
    Engine engine = new Engine(1);
    for (int i = 0; i < 1_000; i++) {
      engine.schedule(i, 0, i, 0);
    }
    List<long[]> calls = new ArrayList<>();
    engine.onProgress(
        250, (nowNanos, processed, pending) -> calls.add(new long[] {nowNanos, processed, pending}));
    engine.run(Long.MAX_VALUE, IGNORE);
    assertEquals(4, calls.size());
    assertArrayEquals(new long[] {249, 250, 750}, calls.get(0));
    assertArrayEquals(new long[] {999, 1000, 0}, calls.get(3));
    engine.onProgress(0, null);
    engine.schedule(2_000, 0, 0, 0);
    engine.run(Long.MAX_VALUE, IGNORE);
    assertEquals(4, calls.size());
    assertThrows(IllegalArgumentException.class, () -> engine.onProgress(0, (a, b, c) -> {}));
  }

  @Test
  void progressListenerMayStopTheRun() {
    Engine engine = new Engine(1);
    for (int i = 0; i < 100; i++) {
      engine.schedule(i, 0, i, 0);
    }
    engine.onProgress(10, (nowNanos, processed, pending) -> engine.stop());
    assertEquals(StopReason.STOPPED, engine.run(Long.MAX_VALUE, IGNORE));
    assertEquals(10, engine.eventsProcessed());
  }

  // ---------------------------------------------------------------- lazy cancellation

  @Test
  void lazyCancellationByEventId() {
    Engine engine = new Engine(1);
    long[] armed = new long[2];
    armed[0] = engine.schedule(100, 0, 0, 0);
    armed[1] = engine.schedule(100, 0, 1, 0);
    armed[0] = engine.schedule(200, 0, 0, 0); // re-arm: the event at 100 is now stale
    armed[1] = -1; // cancel
    List<String> fired = new ArrayList<>();
    engine.run(
        Long.MAX_VALUE,
        (type, target, arg) -> {
          if (engine.currentEventId() == armed[target]) {
            fired.add(engine.now() + ":" + target);
          }
        });
    assertEquals(List.of("200:0"), fired);
    assertEquals(3, engine.eventsProcessed()); // stale events still come out, and are counted
  }

  /**
   * Deferral: a timer re-armed to later times keeps one event queued; firing early, it queues the
   * re-armed one under its reserved id. What fires, when, and in which order among events of the
   * same time is what eager re-scheduling gives, with fewer events.
   */
  @Test
  void deferralFiresWhatEagerReArmingFiresWithFewerEvents() {
    // The other event at 300 was queued before the re-arm to 300, so it runs first.
    assertEquals(List.of("50:other", "300:other", "300:timer", "400:timer", "events 6"),
        reArmTrace(false));
    // The same, without the two stale firings (100, 200); the early one at 100 queues the timer.
    assertEquals(List.of("50:other", "300:other", "300:timer", "400:timer", "events 5"),
        reArmTrace(true));
  }

  /** A timer armed at 100, re-armed at 50 to 200 and to 300, and at 300 to 400; another event at 300. */
  private static List<String> reArmTrace(boolean deferral) {
    Engine engine = new Engine(2);
    long[] armed = {-1, -1, -1}; // id of the armed timer, its time, the id queued
    List<String> fired = new ArrayList<>();
    Runnable[] arm = new Runnable[1];
    long[] at = new long[1];
    arm[0] = () -> {
      if (!deferral) {
        armed[0] = engine.schedule(at[0], 0, 0, 0);
        return;
      }
      armed[0] = engine.reserveId();
      armed[1] = at[0];
      if (armed[2] < 0) {
        engine.scheduleReserved(at[0], armed[0], 0, 0, 0);
        armed[2] = armed[0];
      }
    };
    at[0] = 100;
    arm[0].run();
    engine.schedule(50, 1, 0, 0);
    engine.run(Long.MAX_VALUE, (type, target, arg) -> {
      long id = engine.currentEventId();
      if (type == 1) {
        fired.add(engine.now() + ":other");
        if (engine.now() == 50) {
          at[0] = 200;
          arm[0].run();
          engine.schedule(300, 1, 0, 0); // queued before the timer's re-arm to 300 below
          at[0] = 300;
          arm[0].run();
        }
        return;
      }
      if (deferral && id == armed[2] && id != armed[0]) { // early: queue the armed one
        engine.scheduleReserved(armed[1], armed[0], 0, 0, 0);
        armed[2] = armed[0];
        return;
      }
      if (id != armed[0]) {
        return; // stale
      }
      armed[2] = -1;
      fired.add(engine.now() + ":timer");
      if (engine.now() == 300) {
        at[0] = 400;
        arm[0].run();
      }
    });
    fired.add("events " + engine.eventsProcessed());
    return fired;
  }

  @Test
  void lazyCancellationByGeneration() {
    Engine engine = new Engine(1);
    int[] generation = new int[1];
    engine.schedule(10, 0, 0, EventArgs.pack(generation[0], 7));
    generation[0]++; // cancels everything pending for target 0
    engine.schedule(20, 0, 0, EventArgs.pack(generation[0], 8));
    List<Integer> fired = new ArrayList<>();
    engine.run(
        Long.MAX_VALUE,
        (type, target, arg) -> {
          if (EventArgs.high(arg) == generation[target]) {
            fired.add(EventArgs.low(arg));
          }
        });
    assertEquals(List.of(8), fired);
  }

  @Test
  void eventArgsRoundTrip() {
    int[] values = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 123_456};
    for (int hi : values) {
      for (int lo : values) {
        long p = EventArgs.pack(hi, lo);
        assertEquals(hi, EventArgs.high(p));
        assertEquals(lo, EventArgs.low(p));
      }
    }
  }
}
