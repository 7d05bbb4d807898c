package dev.chorus.node;

import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.protocol.VivaldiCoordinate;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread a node's {@link SwarmCore} lives on. Every other thread hands the core an event
 * with {@link #post}; the core itself is created on this thread and only ever touched here, so it
 * needs no locks and no safe publication. Events posted before the core exists (a peer that
 * connects while the node starts) wait and run, in order, right after it is created.
 *
 * <p>What other threads need to read of the core (its coordinate, the neighbour count) is
 * published as volatile snapshots after each event.
 */
final class CoreLoop {
  private static final Logger log = LoggerFactory.getLogger(CoreLoop.class);

  /** Runs tasks one at a time, in order (a single-threaded executor; a queue in tests). */
  private final Executor executor;
  private final LongSupplier clock;
  /** Loop thread only. */
  private SwarmCore core;
  /** Loop thread only: events that arrived before the core was created. */
  private final Queue<Consumer<SwarmCore>> early = new ArrayDeque<>();
  private volatile VivaldiCoordinate coordinate = VivaldiCoordinate.ORIGIN;
  private volatile int neighbours;
  private volatile boolean closed;

  CoreLoop(Executor executor, LongSupplier clock) {
    this.executor = executor;
    this.clock = clock;
  }

  /** Creates the core on the loop thread, then runs the events that were waiting for it. */
  void start(Supplier<SwarmCore> factory) {
    submit(() -> {
      core = factory.get();
      while (!early.isEmpty()) {
        run(early.poll());
      }
      publish();
    });
  }

  /** Runs {@code event} on the loop thread, after the events posted before it. */
  void post(Consumer<SwarmCore> event) {
    if (closed) {
      return;
    }
    submit(() -> {
      if (core == null) {
        early.add(event);
      } else {
        run(event);
        publish();
      }
    });
  }

  /**
   * Asks the core a question on its thread, after the events posted before it; the answer comes
   * through the future (failed if the node is closing). {@code question} must only read.
   */
  <T> CompletableFuture<T> ask(Function<SwarmCore, T> question) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    if (closed) {
      answer.completeExceptionally(new IllegalStateException("the node is shut down"));
      return answer;
    }
    try {
      executor.execute(() -> {
        if (core == null) {
          early.add(c -> answer(answer, question, c));
        } else {
          answer(answer, question, core);
        }
      });
    } catch (RejectedExecutionException e) {
      answer.completeExceptionally(new IllegalStateException("the node is shut down"));
    }
    return answer;
  }

  private static <T> void answer(CompletableFuture<T> answer, Function<SwarmCore, T> question, SwarmCore core) {
    try {
      answer.complete(question.apply(core));
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
  }

  long now() {
    return clock.getAsLong();
  }

  /** The core's coordinate after the last event (any thread). */
  VivaldiCoordinate coordinate() {
    return coordinate;
  }

  /** The core's neighbour count after the last event (any thread). */
  int neighbourCount() {
    return neighbours;
  }

  void close() {
    closed = true;
  }

  private void run(Consumer<SwarmCore> event) {
    try {
      event.accept(core);
    } catch (RuntimeException e) {
      log.error("swarm core event failed; the node keeps running", e);
    }
  }

  private void publish() {
    coordinate = core.coordinate();
    neighbours = core.neighbourCount();
  }

  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }
}
