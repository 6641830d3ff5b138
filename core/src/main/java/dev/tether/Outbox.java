package dev.tether;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the registry has to tell outside every lock: its listeners' events, queued in the order of
 * the changes they report and run by one thread at a time, outside any lock, so each SA's events
 * keep the order of its changes.
 *
 * <p>Who runs them: the thread that queues an event, right away ({@link #send}). A thread that finds
 * another one delivering leaves its events to it and goes on: a listener that blocks holds up the
 * events queued behind it, never another thread's acquire or release.
 *
 * <p>Thread-safe and lock-free: a {@link ConcurrentLinkedQueue} and one flag.
 */
final class Outbox {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();

  /** Queues a task and delivers it now, with anything queued before it; called outside any lock. */
  void send(Runnable task) {
    queue.add(task);
    deliver();
  }

  /** Runs the queued tasks on this thread, unless another thread is running them already. */
  private void deliver() {
    // Re-checked after letting go: a task queued while this thread finished is not left behind.
    while (!queue.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        for (Runnable task; (task = queue.poll()) != null; ) {
          run(task);
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  private static void run(Runnable task) {
    try {
      task.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      // Listeners are guarded one by one (Listeners): this is a failure around them.
      LOG.log(Level.WARNING, "Tether registry task " + task + " failed", e);
    }
  }
}
