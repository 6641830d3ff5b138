package dev.tether;

import com.github.benmanes.caffeine.cache.Ticker;
import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;

/**
 * Logs flushes. An operator's flush (manual, shutdown) is one INFO line with its count. Flushes that
 * follow users (login, logout) are DEBUG each and summarized at INFO at most once per interval, so a
 * busy site logs one line a minute, not one per login.
 *
 * <p>Concurrency: the pending counts are guarded by this object's monitor, held once per flush (not
 * per connection); the lines are logged after it is released.
 */
final class FlushLog {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());

  private final String registry;
  private final Ticker ticker;
  private final long intervalNanos;
  private final Map<DeletionCause, long[]> pending = new EnumMap<>(DeletionCause.class);
  private long windowStart;

  FlushLog(String registry, Ticker ticker, long intervalNanos) {
    this.registry = registry;
    this.ticker = ticker;
    this.intervalNanos = intervalNanos;
    this.windowStart = ticker.read();
  }

  /** Records a flush of {@code count} SAs of {@code what} (an SA, a peer, all). */
  void flushed(int count, DeletionCause cause, String what) {
    boolean followsUsers = cause == DeletionCause.LOGIN || cause == DeletionCause.LOGOUT;
    if (!followsUsers) {
      if (count > 0) {
        LOG.log(Level.INFO, "Tether registry ''{0}'' flushed {1} SA(s) ({2}, {3})", registry, count,
            cause, what);
      }
      return;
    }
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "Tether registry ''{0}'' flushed {1} SA(s) ({2}, {3})", registry, count,
          cause, what);
    }
    Object[] summary = record(cause, count);
    if (summary != null) {
      log(summary);
    }
  }

  /** Logs what is pending, e.g. at close. */
  void summarize() {
    Object[] summary;
    synchronized (this) {
      summary = summarize(ticker.read());
    }
    if (summary != null) {
      log(summary);
    }
  }

  private static void log(Object[] line) {
    LOG.log(Level.INFO, (String) line[0], java.util.Arrays.copyOfRange(line, 1, line.length));
  }

  private synchronized Object[] record(DeletionCause cause, int count) {
    long[] totals = pending.computeIfAbsent(cause, c -> new long[2]);
    totals[0]++;
    totals[1] += count;
    long now = ticker.read();
    return now - windowStart >= intervalNanos ? summarize(now) : null;
  }

  /** Returns the summary line of what is pending, if anything is, and starts a new window. */
  private Object[] summarize(long now) {
    Object[] line = null;
    if (!pending.isEmpty()) {
      StringBuilder text = new StringBuilder();
      pending.forEach((cause, t) -> text.append(text.length() == 0 ? "" : ", ").append(t[0])
          .append(' ').append(cause.name().toLowerCase(java.util.Locale.ROOT))
          .append(" flush(es) deleting ").append(t[1]).append(" SA(s)"));
      line = new Object[] {"Tether registry ''{0}'': {1} in the last {2} s", registry,
          text.toString(), (now - windowStart) / 1_000_000_000L};
      pending.clear();
    }
    windowStart = now;
    return line;
  }
}
