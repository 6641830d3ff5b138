package dev.tether.tomcat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what Tomcat (through JULI and java.util.logging) logs while it is open. */
final class LogCapture extends Handler implements AutoCloseable {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger("");

  LogCapture() {
    setLevel(Level.ALL);
    root.addHandler(this);
  }

  /** Returns every message logged at {@code level} or above, with the messages of its causes. */
  String text(Level level) {
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

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
