package dev.chorus.tracker.redis;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Lettuce's resources for one index (tracker/docs/redis.md, "The client side"):
 *
 * <ul>
 *   <li>No command latency recording. Lettuce records every command's latency when HdrHistogram
 *       and LatencyUtils are on the class path, which they are (Micrometer brings them), for
 *       metrics the tracker never reads: a map lookup, a key object and histogram updates per
 *       command.
 *   <li>Flushes consolidated. Lettuce flushes the socket after every command it is given; the
 *       tracker's threads hand it one lookup or announce at a time, so each command costs a
 *       {@code write} system call here and a {@code read} in redis-server, which parses and answers
 *       one command per wake-up. {@link FlushConsolidationHandler} turns the flushes of all
 *       commands written in one turn of the connection's event loop (the commands other threads
 *       queued meanwhile, or those sent while decoding replies) into one: the commands go out
 *       together and Redis reads them in one go. It only delays a flush to the end of the turn,
 *       never past it, so nothing waits for more commands to come.
 * </ul>
 */
final class LettuceResources {
  /** Flushes held back at most before one goes through anyway (Netty's default). */
  static final int FLUSHES_PER_WRITE = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

  private LettuceResources() {}

  /** New resources (their threads start lazily); the caller shuts them down. */
  static ClientResources create() {
    return DefaultClientResources.builder()
        .commandLatencyRecorder(CommandLatencyRecorder.disabled())
        .nettyCustomizer(new ConsolidateFlushes())
        .build();
  }

  /** Puts a {@link FlushConsolidationHandler} next to the socket of every connection. */
  static final class ConsolidateFlushes implements NettyCustomizer {
    @Override
    public void afterChannelInitialized(Channel channel) {
      channel.pipeline().addFirst(new FlushConsolidationHandler(FLUSHES_PER_WRITE, true));
    }
  }
}
