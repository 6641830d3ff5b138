package dev.tether.reliability;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.tether.AssociationStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Samples a soak every few seconds: the registry's SAs (active, idle) and leases, the JDK's session
 * cache, the heap after the last young collection, live threads, open file descriptors and the
 * connections per second since the previous sample. {@link #write} puts the samples in a CSV file and
 * a plot ({@link SoakChart}).
 *
 * <p>The test's clients run in the server's JVM: threads, heap and descriptors are the process's,
 * clients included.
 *
 * <p>Threading: samples on its own daemon thread; {@link #samples()} and {@link #write} may be called
 * from the test thread, after {@link #close()} for a complete series.
 */
final class SoakSampler implements AutoCloseable {
  /** The CSV's header, one column per field of {@link Sample}. */
  static final String HEADER = "seconds,connections,connectionsPerSecond,activeSas,idleSas,leases,"
      + "tlsSessions,heapAfterYoungGcMiB,threads,fileDescriptors";

  /** One sample; heap in MiB, -1 before the first young collection. */
  record Sample(double seconds, long connections, double connectionsPerSecond, long activeSas,
      long idleSas, long leases, int tlsSessions, double heapAfterYoungGcMiB, int threads,
      long fileDescriptors) {

    String csv() {
      return String.format(Locale.ROOT, "%.1f,%d,%.1f,%d,%d,%d,%d,%.1f,%d,%d", seconds,
          connections, connectionsPerSecond, activeSas, idleSas, leases, tlsSessions,
          heapAfterYoungGcMiB, threads, fileDescriptors);
    }
  }

  private final Container server;
  private final LongSupplier connections;
  private final long started = System.nanoTime();
  private final List<Sample> samples = new ArrayList<>();
  private final AtomicLong heapAfterYoungGc = new AtomicLong(-1);
  private final NotificationListener onGc = this::onGc;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "soak-sampler");
    t.setDaemon(true);
    return t;
  });

  private SoakSampler(Container server, LongSupplier connections) {
    this.server = server;
    this.connections = connections;
  }

  /**
   * Starts sampling {@code server} every {@code interval}; {@code connections} returns how many
   * connections the soak's clients have opened so far.
   */
  static SoakSampler start(Container server, LongSupplier connections, Duration interval) {
    SoakSampler sampler = new SoakSampler(server, connections);
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(sampler.onGc, null, null);
    }
    sampler.sample();
    sampler.timer.scheduleAtFixedRate(sampler::sample, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return sampler;
  }

  /** Returns the open file descriptors of this process ({@code /proc/self/fd}), -1 without one. */
  static long fileDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  /** Full collections at most, and the shrink below which the heap counts as settled. */
  private static final int MAX_COLLECTIONS = 8;
  private static final long SETTLED_BYTES = 1 << 20;

  /**
   * Returns the heap a full collection leaves, in MiB, once another one frees no more: the soak's
   * start and end points. It is read from what the collector reports for its heap pools after the
   * collection, not from the heap's current use, which counts at once the allocation buffers that
   * threads take right after it (tens of MiB after a busy run, whose buffers grew with it).
   * Collections repeat until one frees less than {@link #SETTLED_BYTES} more, so that the figure does
   * not depend on one collection having found everything (not seen to matter, and cheap to rule out).
   */
  static double heapAfterFullGcMiB() {
    long settled = Long.MAX_VALUE;
    for (int i = 0; i < MAX_COLLECTIONS; i++) {
      System.gc();
      System.runFinalization();
      long now = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
        now += after == null ? 0 : after.getUsed();
      }
      boolean done = settled - now < SETTLED_BYTES;
      settled = Math.min(settled, now);
      if (done) {
        break;
      }
    }
    return settled / (1024.0 * 1024);
  }

  /** Returns the samples taken so far. */
  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Writes {@code name}.csv and {@code name}.png into {@code dir}; returns the CSV's path. */
  Path write(Path dir, String name, String title) throws IOException {
    Files.createDirectories(dir);
    List<Sample> all = samples();
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    all.forEach(s -> lines.add(s.csv()));
    Path csv = dir.resolve(name + ".csv");
    Files.write(csv, lines, StandardCharsets.UTF_8);
    SoakChart.write(all, title, dir.resolve(name + ".png"));
    return csv;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      try {
        ((NotificationEmitter) gc).removeNotificationListener(onGc);
      } catch (ListenerNotFoundException ignored) {
        // not added
      }
    }
    sample();
  }

  private void sample() {
    try {
      AssociationStats s = server.registry().stats();
      double seconds = (System.nanoTime() - started) / 1e9;
      long n = connections.getAsLong();
      synchronized (this) {
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        double rate = last == null || seconds <= last.seconds() ? 0
            : (n - last.connections()) / (seconds - last.seconds());
        long heap = heapAfterYoungGc.get();
        samples.add(new Sample(seconds, n, rate, s.active(), s.idle(), s.leases(),
            server.serverSessions(), heap < 0 ? -1 : heap / (1024.0 * 1024),
            ManagementFactory.getThreadMXBean().getThreadCount(), fileDescriptors()));
      }
    } catch (RuntimeException e) {
      // A sample taken while the server restarts: the next one will do.
    }
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    if (!info.getGcAction().contains("minor")) {
      return;
    }
    long used = 0;
    for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
      used += u.getUsed();
    }
    // Non-heap pools (metaspace, code cache) are in the map too: keep the heap's pools only.
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != MemoryType.HEAP) {
        MemoryUsage u = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
        used -= u == null ? 0 : u.getUsed();
      }
    }
    heapAfterYoungGc.set(used);
  }
}
