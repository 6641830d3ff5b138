package dev.tether;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the registry has to tell or to do outside every lock: its listeners' events, and the tasks
 * its cache hands to an executor (the cache's maintenance and its removal notifications, which the
 * cache hands over while it holds its eviction lock). Tasks are queued in the order they come and
 * run by one thread at a time, outside any lock, so each SA's events keep the order of its changes.
 *
 * <p>Who runs them: the thread that queues a listener event, right away ({@link #deliver}); a task of
 * the cache, which may be queued under the cache's lock, waits until the registry's operation that
 * caused it ends ({@link #settle}) or the expiry scheduler's wake-up does. A thread that finds
 * another one delivering leaves its tasks to it and goes on: a listener that blocks holds up the
 * events queued behind it, never another thread's acquire or release.
 *
 * <p>Thread-safe and lock-free: a {@link ConcurrentLinkedQueue} and one flag.
 */
final class Outbox implements Executor {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();
  private final Executor executor;
  /** {@link #deliver}, made once: {@link #settle} hands it over after nearly every operation. */
  private final Runnable deliverTask = this::deliver;

  /** {@code executor} runs {@link #deliver} when an operation {@linkplain #settle settles}. */
  Outbox(Executor executor) {
    this.executor = executor;
  }

  /** Queues a task; the cache calls this, possibly under its lock, so nothing runs here. */
  @Override
  public void execute(Runnable task) {
    queue.add(task);
  }

  /** Queues a task and delivers it now, with anything queued before it; called outside any lock. */
  void send(Runnable task) {
    queue.add(task);
    deliver();
  }

  /** At the end of an operation: delivers what is queued, on the registry's executor. */
  void settle() {
    if (!queue.isEmpty()) {
      executor.execute(deliverTask);
    }
  }

  /** Runs the queued tasks on this thread, unless another thread is running them already. */
  void deliver() {
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

  /** Returns whether nothing is queued. */
  boolean isEmpty() {
    return queue.isEmpty();
  }

  private static void run(Runnable task) {
    try {
      task.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      // Listeners are guarded one by one (Listeners); this is the cache's own task failing.
      LOG.log(Level.WARNING, "Tether registry task " + task + " failed", e);
    }
  }
}
