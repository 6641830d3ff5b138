package dev.tether;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/** Logs a driver failure at WARN the first time and at DEBUG after that; the registry carries on. */
final class DriverWarnings {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());

  private final AssociationDriver driver;
  private final AtomicBoolean warned = new AtomicBoolean();

  DriverWarnings(AssociationDriver driver) {
    this.driver = driver;
  }

  void warn(String operation, RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "Tether driver " + driver + " failed to " + operation + " a session; "
          + "the registry stays consistent (further failures are logged at DEBUG)", e);
    } else {
      LOG.log(Level.DEBUG, () -> "Tether driver " + driver + " failed to " + operation, e);
    }
  }
}
