package dev.tether.cluster.redis;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Logs a recurring problem at most once per interval, with the number of times it happened since the
 * last line, so that a flood of forged events or a long outage cannot flood the log.
 *
 * <p>Concurrency: synchronized; called once per problem, never on a healthy path.
 */
final class RateLimitedLog {
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private long last;
  private long count;
  private boolean logged;

  RateLimitedLog(LongSupplier nanoTime, long intervalNanos) {
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
  }

  /** Counts one occurrence; calls {@code line} with the count when a line is due. */
  synchronized void warn(LongConsumer line) {
    count++;
    long now = nanoTime.getAsLong();
    if (!logged || now - last >= intervalNanos) {
      line.accept(count);
      logged = true;
      last = now;
      count = 0;
    }
  }
}
