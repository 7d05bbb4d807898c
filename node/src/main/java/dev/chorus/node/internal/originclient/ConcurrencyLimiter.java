package dev.chorus.node.internal.originclient;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * At most {@code permits} tasks hold a permit at once; the others wait in FIFO order without
 * blocking a thread. A task that got a permit must {@link #release()} it exactly once.
 */
final class ConcurrencyLimiter {
  private final Executor executor;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int available;

  ConcurrencyLimiter(int permits, Executor executor) {
    this.available = permits;
    this.executor = executor;
  }

  /** Runs {@code task} now (on this thread) if a permit is free, else when one is released. */
  void run(Runnable task) {
    synchronized (this) {
      if (available == 0) {
        waiting.add(task);
        return;
      }
      available--;
    }
    task.run();
  }

  /** Gives a permit back: to the longest-waiting task (run on the executor), or to the pool. */
  void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        available++;
        return;
      }
    }
    try {
      executor.execute(next);
    } catch (RejectedExecutionException e) {
      // The client is closed; its requests have been failed already.
    }
  }
}
