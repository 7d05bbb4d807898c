package dev.chorus.node.stream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a {@link StreamServer} answered. */
final class RecordingListener implements StreamListener {
  record Responded(String method, String path, int status, long first, long last) {}

  record Ended(String method, String path, int status, long bytesSent, boolean complete) {}

  final List<Responded> responses = new CopyOnWriteArrayList<>();
  final List<Ended> ends = new CopyOnWriteArrayList<>();
  final List<String> refusals = new CopyOnWriteArrayList<>();

  @Override
  public void responded(String method, String path, int status, long first, long last) {
    responses.add(new Responded(method, path, status, first, last));
  }

  @Override
  public void ended(String method, String path, int status, long bytesSent, boolean complete) {
    ends.add(new Ended(method, path, status, bytesSent, complete));
  }

  @Override
  public void requestRefused(String reason) {
    refusals.add(reason);
  }
}
