package dev.chorus.node.internal.peer;

import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Keeps every listener event, in order per kind; the waits only stop a broken build from hanging. */
final class RecordingListener implements PeerNetworkListener {
  static final long WAIT_SECONDS = 20;

  record Received(PeerLink link, PeerMessage message) {}

  record Disconnected(PeerLink link, ErrorCode reason) {}

  record Rtt(PeerLink link, long rttNanos, VivaldiCoordinate remote) {}

  final List<PeerLink> connectedLinks = new CopyOnWriteArrayList<>();
  final List<Disconnected> disconnectedLinks = new CopyOnWriteArrayList<>();
  final BlockingQueue<PeerLink> connected = new LinkedBlockingQueue<>();
  final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
  final BlockingQueue<Disconnected> disconnected = new LinkedBlockingQueue<>();
  final BlockingQueue<Rtt> rtts = new LinkedBlockingQueue<>();

  @Override
  public void connected(PeerLink link) {
    connectedLinks.add(link);
    connected.add(link);
  }

  @Override
  public void message(PeerLink link, PeerMessage message) {
    messages.add(new Received(link, message));
  }

  @Override
  public void rttMeasured(PeerLink link, long rttNanos, VivaldiCoordinate remote) {
    rtts.add(new Rtt(link, rttNanos, remote));
  }

  @Override
  public void disconnected(PeerLink link, ErrorCode reason) {
    disconnectedLinks.add(new Disconnected(link, reason));
    disconnected.add(new Disconnected(link, reason));
  }

  static <T> T next(BlockingQueue<T> queue, String what) throws InterruptedException {
    T t = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (t == null) {
      throw new AssertionError("no " + what + " within " + WAIT_SECONDS + " s");
    }
    return t;
  }

  static <T> T next(BlockingQueue<T> queue, String what, Predicate<T> which) throws InterruptedException {
    return Await.next(queue, which, Duration.ofSeconds(WAIT_SECONDS),
        () -> "no matching " + what + " within " + WAIT_SECONDS + " s");
  }
}
