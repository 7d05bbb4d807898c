package dev.chorus.node;

import dev.chorus.node.internal.peer.PeerLink;
import java.util.function.BooleanSupplier;

/**
 * Where threads serving peers wait for a link's send buffer to drain: the network signals when
 * any link becomes writable again, and each waiter re-checks its own link (also every 50 ms, so a
 * missed signal costs at most that).
 */
final class Writability {
  private final Object monitor = new Object();

  void signal() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  /** Waits until the link is writable, closed, or {@code stop} says so; returns at interrupt. */
  void await(PeerLink link, BooleanSupplier stop) {
    synchronized (monitor) {
      while (!link.isWritable() && link.isOpen() && !stop.getAsBoolean()) {
        try {
          monitor.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
