package dev.chorus.tracker.redis;

/**
 * The Redis the tracker was pointed at holds a peer index in a key layout this version does not
 * read (tracker/docs/redis.md, "Layout versions"). The message says what to do.
 */
public final class RedisLayoutException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  RedisLayoutException(String message) {
    super(message);
  }
}
