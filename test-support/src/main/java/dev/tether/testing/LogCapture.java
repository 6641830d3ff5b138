package dev.tether.testing;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what is logged through java.util.logging while it is open: core logs through
 * {@code System.Logger}, which the JDK hands to java.util.logging under the class name (e.g.
 * {@code dev.tether.AssociationRegistry}); Tomcat's JULI writes there too.
 *
 * <p>Thread-safe: records may arrive from any thread while a test reads them.
 *
 * <pre>{@code
 * try (LogCapture log = new LogCapture("dev.tether.AssociationRegistry")) {
 *   ...
 *   assertThat(log.lines(Level.WARNING, "is refusing new SAs")).hasSize(1);
 * }
 * }</pre>
 */
public final class LogCapture extends Handler implements AutoCloseable {
  /** Held so that the logger, and the handler on it, are not collected. */
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  /** Captures every logger's records (the root logger's handlers see them all). */
  public LogCapture() {
    this("");
  }

  /** Captures the records of the logger {@code name} and of the loggers below it. */
  public LogCapture(String name) {
    logger = Logger.getLogger(name);
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** Returns every message logged at {@code level} or above, with the messages of its causes. */
  public String text(Level level) {
    StringBuilder sb = new StringBuilder();
    for (LogRecord r : records) {
      if (r.getLevel().intValue() >= level.intValue()) {
        sb.append(r.getMessage()).append('\n');
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
          sb.append("  ").append(t.getMessage()).append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** Returns the formatted messages logged at exactly {@code level} that contain {@code text}. */
  public List<String> lines(Level level, String text) {
    return records.stream().filter(r -> r.getLevel().equals(level))
        .map(r -> MessageFormat.format(r.getMessage(),
            r.getParameters() == null ? new Object[0] : r.getParameters()))
        .filter(m -> m.contains(text)).toList();
  }

  /** Returns the formatted messages logged at exactly {@code level}. */
  public List<String> lines(Level level) {
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
