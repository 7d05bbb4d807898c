package dev.chorus.node.stream;

/** What a {@link StreamServer} did, for tests (package-private; the log has the same). */
interface StreamListener {
  StreamListener NO_OP = new StreamListener() {};

  /**
   * A response's status line was decided: {@code first..last} are the bytes being sent (-1 when none).
   */
  default void responded(String method, String path, int status, long first, long last) {}

  /** A response ended: all of it sent ({@code complete}), or cut short (client gone, read failed). */
  default void ended(String method, String path, int status, long bytesSent, boolean complete) {}

  /**
   * A request was refused before anything was looked up — its {@code Host} (one of {@link
   * HostRule}'s reasons) or its token ({@link StreamServer#WRONG_TOKEN}) — and its connection is
   * being closed. Its response is also reported to {@link #responded} and {@link #ended}.
   */
  default void requestRefused(String reason) {}
}
