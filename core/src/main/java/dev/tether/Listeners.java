package dev.tether;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Calls the registered listeners, each in its own try/catch: a listener that throws is logged at WARN
 * the first time (and at DEBUG after that) and cannot affect the registry or the other listeners.
 * Only a {@link VirtualMachineError} (out of memory, stack overflow) is let through. Events go
 * through an {@link Outbox}: outside every lock, one thread at a time, in order.
 */
final class Listeners {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());

  private final List<AssociationListener> listeners;
  /** Listeners that failed once, by identity (a listener's equals may be anything). */
  private final Set<AssociationListener> warned =
      Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  private final Outbox outbox;

  Listeners(List<AssociationListener> listeners) {
    this.listeners = new CopyOnWriteArrayList<>(listeners);
    this.outbox = new Outbox();
  }

  void add(AssociationListener listener) {
    listeners.add(listener);
  }

  boolean remove(AssociationListener listener) {
    warned.remove(listener);
    return listeners.removeIf(l -> l == listener);
  }

  boolean isEmpty() {
    return listeners.isEmpty();
  }

  /**
   * Announces an event: queued behind the events before it and delivered now on this thread, unless
   * another thread is delivering them (then by that thread). Called outside any lock.
   */
  void fire(Consumer<AssociationListener> event) {
    outbox.send(() -> fireNow(event));
  }

  private void fireNow(Consumer<AssociationListener> event) {
    for (AssociationListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        if (warned.add(listener)) {
          LOG.log(Level.WARNING, "Tether listener " + listener + " threw; it is ignored for this "
              + "event and the registry carries on (further failures are logged at DEBUG)", e);
        } else {
          LOG.log(Level.DEBUG, () -> "Tether listener " + listener + " threw again", e);
        }
      }
    }
  }
}
