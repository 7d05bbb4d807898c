package dev.chorus.simulator.engine;

/**
 * The discrete-event engine: a simulated clock, an {@link EventQueue} and a loop that pops the
 * earliest event, advances the clock to it and hands it to an {@link EventHandler}.
 *
 * <p><b>Deterministic.</b> Single-threaded, no wall clock, no hashing of identities: events come
 * out in {@code (time, scheduling order)} order, so the same model, seed and build give the same
 * sequence of events bit for bit. Randomness comes from {@link RandomStreams}.
 *
 * <p><b>No allocation per event.</b> An event is {@code (long time, int type, int target, long
 * arg)} held in primitive arrays; dispatch is one interface call.
 *
 * <p><b>Time</b> is a {@code long} count of simulated nanoseconds ({@code Long.MAX_VALUE} ns is
 * 292 years). Scheduling before {@link #now()} is an error: an event cannot change the past.
 *
 * <p><b>Cancellation is lazy.</b> A cancelled event stays queued and is ignored when it comes out.
 * Two ways for a model to do it, neither costing the engine anything:
 *
 * <ul>
 *   <li><em>event id</em>: {@link #schedule} returns the event's id; the model keeps the id of the
 *       pending timer (say in a {@code long[]} indexed by peer) and, in the handler, ignores the
 *       event unless {@link #currentEventId()} equals the stored id. Cancelling or re-arming is
 *       overwriting the stored id.
 *   <li><em>generation</em>: the model keeps an {@code int} generation per target, packs it into
 *       the argument with {@link EventArgs#pack} and bumps it to cancel everything pending for the
 *       target; the handler ignores events whose generation is stale.
 * </ul>
 *
 * Lazy cancellation keeps the cancelled events' 32 bytes until they would have fired, and each
 * still costs a pop; models that re-arm long timers very often should prefer <em>deferral</em>:
 * a re-arm to a later time only reserves the event's id ({@link #reserveId()}); the event already
 * queued fires early, finds the deadline moved, and queues the new one under the reserved id
 * ({@link #scheduleReserved}). The new event then runs exactly where an eager {@link #schedule}
 * at the re-arm would have put it, and a chain of re-arms between two firings costs no event.
 *
 * <p><b>Counters</b> are 64-bit: events processed in all and per type, events scheduled, the peak
 * number pending.
 *
 * <p>Not thread-safe: one thread owns an engine; separate replications use separate engines.
 */
public final class Engine {

  /** Why {@link #run} returned. */
  public enum StopReason {
    /** No event is pending. The clock stays at the last event's time. */
    QUEUE_EMPTY,
    /** The next event comes after the run's horizon. The clock is advanced to the horizon. */
    TIME_LIMIT,
    /** The run handled its maximum number of events. The clock stays at the last event's time. */
    EVENT_LIMIT,
    /** {@link #stop()} was called. The clock stays at the last event's time. */
    STOPPED
  }

  private final EventQueue queue;
  private final long[] processedByType;
  private long now;
  private long processed;
  private long currentEventId = -1;
  private int peakPending;
  private boolean running;
  private boolean stopRequested;

  private ProgressListener progress;
  private long progressEvery;
  private long progressCountdown;

  /**
   * An engine for event types {@code 0 .. eventTypes-1}, clock at 0, queue of default capacity.
   */
  public Engine(int eventTypes) {
    this(eventTypes, EventQueue.DEFAULT_INITIAL_CAPACITY, 0L);
  }

  /**
   * An engine for event types {@code 0 .. eventTypes-1}.
   *
   * @param initialCapacity pending events that fit before the queue first grows; size it to the
   *     expected peak to avoid the transient copy of growth (see {@link EventQueue})
   * @param startNanos the clock's initial value (for example a time of day)
   */
  public Engine(int eventTypes, int initialCapacity, long startNanos) {
    if (eventTypes < 1) {
      throw new IllegalArgumentException("eventTypes must be at least 1, was " + eventTypes);
    }
    if (startNanos < 0) {
      throw new IllegalArgumentException("startNanos must be >= 0, was " + startNanos);
    }
    this.queue = new EventQueue(initialCapacity);
    this.processedByType = new long[eventTypes];
    this.now = startNanos;
  }

  /** The simulated time, in nanoseconds: the time of the event being (or last) handled. */
  public long now() {
    return now;
  }

  /**
   * Schedules an event at an absolute time, which may equal {@link #now()} (it then runs after
   * the events already scheduled for now).
   *
   * @return the event's id (its seq in the queue): unique, increasing in scheduling order
   * @throws IllegalArgumentException if {@code atNanos} is before {@link #now()} or {@code type}
   *     is not a known event type
   */
  public long schedule(long atNanos, int type, int target, long arg) {
    if (atNanos < now) {
      throw new IllegalArgumentException(
          "cannot schedule event type "
              + type
              + " for target "
              + target
              + " at "
              + atNanos
              + " ns: that is before now, "
              + now
              + " ns");
    }
    if (type < 0 || type >= processedByType.length) {
      throw new IllegalArgumentException(
          "event type must be in [0, " + processedByType.length + "), was " + type);
    }
    long id = queue.push(atNanos, type, target, arg);
    notePending();
    return id;
  }

  private void notePending() {
    int pending = queue.size();
    if (pending > peakPending) {
      peakPending = pending;
    }
  }

  /**
   * Draws an event id now for an event queued later with {@link #scheduleReserved}: it will run
   * exactly where {@link #schedule} called now would have put it (its place among events of the
   * same time is fixed by the id). See "deferral" in the class comment.
   */
  public long reserveId() {
    return queue.reserveSeq();
  }

  /**
   * Queues an event under an id from {@link #reserveId()} (each id at most once), at {@code
   * atNanos}, which may not be before {@link #now()}.
   *
   * @throws IllegalArgumentException as {@link #schedule}, or if {@code id} was never reserved
   */
  public void scheduleReserved(long atNanos, long id, int type, int target, long arg) {
    if (atNanos < now) {
      throw new IllegalArgumentException("cannot schedule reserved event " + id + " (type " + type
          + ", target " + target + ") at " + atNanos + " ns: that is before now, " + now + " ns");
    }
    if (type < 0 || type >= processedByType.length) {
      throw new IllegalArgumentException(
          "event type must be in [0, " + processedByType.length + "), was " + type);
    }
    queue.pushReserved(atNanos, id, type, target, arg);
    notePending();
  }

  /**
   * Schedules an event {@code delayNanos} after {@link #now()}.
   *
   * @throws IllegalArgumentException if {@code delayNanos} is negative or {@code now + delay}
   *     overflows
   */
  public long scheduleIn(long delayNanos, int type, int target, long arg) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException(
          "delayNanos must be >= 0, was " + delayNanos + " (event type " + type + ")");
    }
    long at = now + delayNanos;
    if (at < 0) {
      throw new IllegalArgumentException(
          "now " + now + " ns + delay " + delayNanos + " ns overflows a long");
    }
    return schedule(at, type, target, arg);
  }

  /** Handles events up to and including time {@code untilNanos}; see {@link #run(long, long, EventHandler)}. */
  public StopReason run(long untilNanos, EventHandler handler) {
    return run(untilNanos, Long.MAX_VALUE, handler);
  }

  /**
   * Handles events in order until the next one comes after {@code untilNanos}, none is left,
   * {@code maxEvents} have been handled in this call, or {@link #stop()} is called. Events at
   * exactly {@code untilNanos} are handled; when the horizon is reached the clock is set to it, so
   * a following run continues from there.
   *
   * @param untilNanos the horizon ({@code Long.MAX_VALUE} for none)
   * @param maxEvents the most events to handle in this call (at least 1)
   * @throws IllegalArgumentException if {@code untilNanos} is before {@link #now()} or {@code
   *     maxEvents} is below 1
   * @throws IllegalStateException if called from inside a run (handlers schedule, they do not run)
   */
  public StopReason run(long untilNanos, long maxEvents, EventHandler handler) {
    if (untilNanos < now) {
      throw new IllegalArgumentException(
          "untilNanos " + untilNanos + " ns is before now, " + now + " ns");
    }
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
    }
    if (handler == null) {
      throw new NullPointerException("handler");
    }
    if (running) {
      throw new IllegalStateException("run() called from inside a run");
    }
    running = true;
    stopRequested = false;
    try {
      return loop(untilNanos, maxEvents, handler);
    } finally {
      running = false;
    }
  }

  private StopReason loop(long untilNanos, long maxEvents, EventHandler handler) {
    final EventQueue q = queue;
    final long[] byType = processedByType;
    long budget = maxEvents;
    while (true) {
      if (q.isEmpty()) {
        return StopReason.QUEUE_EMPTY;
      }
      long t = q.peekTime();
      if (t > untilNanos) {
        now = untilNanos;
        return StopReason.TIME_LIMIT;
      }
      int type = q.peekType();
      int target = q.peekTarget();
      long arg = q.peekArg();
      currentEventId = q.peekSeq();
      q.removeHead();
      now = t;
      byType[type]++;
      processed++;
      handler.handle(type, target, arg);
      if (progress != null && --progressCountdown == 0) {
        progressCountdown = progressEvery;
        progress.progress(now, processed, q.size());
      }
      if (stopRequested) {
        return StopReason.STOPPED;
      }
      if (--budget == 0) {
        return StopReason.EVENT_LIMIT;
      }
    }
  }

  /** Asks the current run to return {@link StopReason#STOPPED} after the event being handled. */
  public void stop() {
    stopRequested = true;
  }

  /**
   * Calls {@code listener} after every {@code everyEvents} events handled (counted across runs).
   * {@code null} turns progress reporting off.
   */
  public void onProgress(long everyEvents, ProgressListener listener) {
    if (listener != null && everyEvents < 1) {
      throw new IllegalArgumentException("everyEvents must be at least 1, was " + everyEvents);
    }
    this.progress = listener;
    this.progressEvery = everyEvents;
    this.progressCountdown = everyEvents;
  }

  /**
   * The id of the event being handled (the value {@link #schedule} returned for it), or of the
   * last one handled; -1 before the first. For lazy cancellation, see the class comment.
   */
  public long currentEventId() {
    return currentEventId;
  }

  /** Events queued. */
  public int pending() {
    return queue.size();
  }

  /** The most events ever queued at once. */
  public int peakPending() {
    return peakPending;
  }

  /** Bytes held by the event queue's arrays. */
  public long queueBytes() {
    return queue.allocatedBytes();
  }

  /** Number of event types, as given to the constructor. */
  public int eventTypes() {
    return processedByType.length;
  }

  /** Events handled since creation. */
  public long eventsProcessed() {
    return processed;
  }

  /** Events of {@code type} handled since creation. */
  public long eventsProcessed(int type) {
    return processedByType[type];
  }

  /** A copy of the per-type counts of events handled, indexed by type. */
  public long[] eventsProcessedByType() {
    return processedByType.clone();
  }

  /** Events scheduled since creation (handled, pending or lazily cancelled), and ids reserved. */
  public long eventsScheduled() {
    return queue.pushed();
  }
}
