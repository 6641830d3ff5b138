package dev.tether.testing;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker that moves only when the test tells it to, so that grace periods and intervals pass
 * without waiting. It starts at one second, not zero.
 *
 * <p>Thread-safe: a test thread may advance it while the registry reads it on others.
 *
 * <pre>{@code
 * FakeTicker ticker = new FakeTicker();
 * AssociationRegistry registry = AssociationRegistry.builder().ticker(ticker).build();
 * ticker.advance(Duration.ofSeconds(31));   // the grace has passed
 * }</pre>
 */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long read() {
    return nanos.get();
  }

  /** Moves the time forward by {@code d}; returns this ticker. */
  public FakeTicker advance(Duration d) {
    nanos.addAndGet(d.toNanos());
    return this;
  }
}
