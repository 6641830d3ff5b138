package dev.tether.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the registry logs: core logs through {@code System.Logger}, which the JDK hands to
 * java.util.logging under the logger {@code dev.tether.AssociationRegistry}.
 */
final class RegistryLog extends Handler implements AutoCloseable {
  static final String LOGGER = "dev.tether.AssociationRegistry";

  /** Held so that the logger, and the handler on it, are not collected. */
  private final Logger logger = Logger.getLogger(LOGGER);
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  RegistryLog() {
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** Returns the formatted messages logged at exactly {@code level} that contain {@code text}. */
  List<String> lines(Level level, String text) {
    return records.stream().filter(r -> r.getLevel().equals(level))
        .map(r -> java.text.MessageFormat.format(r.getMessage(),
            r.getParameters() == null ? new Object[0] : r.getParameters()))
        .filter(m -> m.contains(text)).toList();
  }

  /** Returns every message logged at {@code level}. */
  List<String> lines(Level level) {
    return lines(level, "");
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
