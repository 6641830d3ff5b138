package dev.tether;

import com.github.benmanes.caffeine.cache.Ticker;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Logs refusals by episode, not by connection: one WARN when refusals begin, one summary per interval
 * while they go on, and one INFO when a new SA is granted again after a quiet interval.
 *
 * <p>Concurrency: the episode's state is guarded by this object's monitor; the lines are logged
 * after it is released, so a slow log appender holds up no other refusal. {@link #refusing} is a
 * volatile read so that the granting path costs nothing while there is no episode.
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

  void refused(RefusalReason reason, String peer, String detail) {
    Object[] line = record(reason, peer, detail);
    if (line != null) {
      log(Level.WARNING, line);
    }
  }

  /** Logs a line made under the monitor: its pattern, then its arguments. */
  private static void log(Level level, Object[] line) {
    LOG.log(level, (String) line[0], Arrays.copyOfRange(line, 1, line.length));
  }

  private synchronized Object[] record(RefusalReason reason, String peer, String detail) {
    long now = ticker.read();
    lastRefusalNanos = now;
    episodeTotal++;
    if (!refusing) {
      refusing = true;
      lastSummaryNanos = now;
      return new Object[] {"Tether registry ''{0}'' is refusing new SAs: {1} (first: peer {2}); "
          + "further refusals are summarized every {3} s", registry, detail, peer,
          intervalNanos / 1_000_000_000L};
    }
    sinceSummary.merge(reason, 1L, Long::sum);
    if (now - lastSummaryNanos < intervalNanos) {
      return null;
    }
    Object[] line = {"Tether registry ''{0}'' refused {1} more SAs in the last interval: {2}",
        registry, sinceSummary.values().stream().mapToLong(Long::longValue).sum(),
        sinceSummary.toString()};
    sinceSummary.clear();
    lastSummaryNanos = now;
    return line;
  }

  /** Called when an SA is granted; ends the episode once a whole interval passed without refusal. */
  void granted() {
    if (refusing) {
      Object[] line = endIfQuiet();
      if (line != null) {
        log(Level.INFO, line);
      }
    }
  }

  private synchronized Object[] endIfQuiet() {
    long now = ticker.read();
    if (!refusing || now - lastRefusalNanos < intervalNanos) {
      return null;
    }
    refusing = false;
    Object[] line = {"Tether registry ''{0}'' grants new SAs again; {1} refused in that episode",
        registry, episodeTotal};
    episodeTotal = 0;
    sinceSummary.clear();
    return line;
  }
}
