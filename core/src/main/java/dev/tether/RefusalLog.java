package dev.tether;

import com.github.benmanes.caffeine.cache.Ticker;
import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;

/**
 * Logs refusals by episode, not by connection: one WARN when refusals begin, one summary per interval
 * while they go on, and one INFO when a new SA is granted again after a quiet interval.
 *
 * <p>Concurrency: all methods are synchronized; {@link #refusing} is a volatile read so that the
 * granting path costs nothing while there is no episode.
 */
final class RefusalLog {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());

  private final String registry;
  private final Ticker ticker;
  private final long intervalNanos;
  private final Map<RefusalReason, Long> sinceSummary = new EnumMap<>(RefusalReason.class);
  private volatile boolean refusing;
  private long episodeTotal;
  private long lastSummaryNanos;
  private long lastRefusalNanos;

  RefusalLog(String registry, Ticker ticker, long intervalNanos) {
    this.registry = registry;
    this.ticker = ticker;
    this.intervalNanos = intervalNanos;
  }

  synchronized void refused(RefusalReason reason, String peer, String detail) {
    long now = ticker.read();
    lastRefusalNanos = now;
    episodeTotal++;
    if (!refusing) {
      refusing = true;
      lastSummaryNanos = now;
      LOG.log(Level.WARNING, "Tether registry ''{0}'' is refusing new SAs: {1} (first: peer {2}); "
          + "further refusals are summarized every {3} s", registry, detail, peer,
          intervalNanos / 1_000_000_000L);
      return;
    }
    sinceSummary.merge(reason, 1L, Long::sum);
    if (now - lastSummaryNanos >= intervalNanos) {
      LOG.log(Level.WARNING, "Tether registry ''{0}'' refused {1} more SAs in the last interval: {2}",
          registry, sinceSummary.values().stream().mapToLong(Long::longValue).sum(), sinceSummary);
      sinceSummary.clear();
      lastSummaryNanos = now;
    }
  }

  /** Called when an SA is granted; ends the episode once a whole interval passed without refusal. */
  void granted() {
    if (refusing) {
      endIfQuiet();
    }
  }

  private synchronized void endIfQuiet() {
    long now = ticker.read();
    if (refusing && now - lastRefusalNanos >= intervalNanos) {
      refusing = false;
      LOG.log(Level.INFO, "Tether registry ''{0}'' grants new SAs again; {1} refused in that episode",
          registry, episodeTotal);
      episodeTotal = 0;
      sinceSummary.clear();
    }
  }
}
