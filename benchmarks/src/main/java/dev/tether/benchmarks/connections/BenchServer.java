package dev.tether.benchmarks.connections;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.tls.StatefulSessions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLSessionContext;
import jdk.jfr.Recording;
import one.profiler.AsyncProfiler;
import one.profiler.Counter;

/**
 * A benchmark server process: one container (Jetty 12.1 or Tomcat 11) serving {@link OkServlet} at
 * {@code /ok} over HTTPS on 127.0.0.1, with or without Tether. It is started by the driver
 * ({@link ServerProcess}) with the same JVM flags for every variant, so only Tether differs.
 *
 * <p>It prints {@code port=<n>} once it listens, then answers commands on standard input with one
 * line each, so that the driver's questions never touch the TLS port or Tether's counters:
 * <ul>
 *   <li>{@code stats}: Tether's counters ({@code negotiated=... reused=... revived=...}), or
 *       {@code tether=false};
 *   <li>{@code sessions}: after a full GC, the TLS sessions in the server's
 *       {@link SSLSessionContext} and the heap in use ({@code sessions=... heap=...});
 *   <li>{@code jfr-start}, {@code jfr-stop <file>}: a flight recording of the server's CPU samples
 *       (every {@value #SAMPLE_MILLIS} ms per running thread), written to the file;
 *   <li>{@code cpu-start}, {@code cpu-stop <file>}: a CPU-time profile of every thread (async-profiler,
 *       a sample at every {@value #CPU_INTERVAL} of CPU a thread uses: perf_events, kernel code
 *       included, where the kernel allows them, else its CPU-time timers), its stacks written to the
 *       file in collapsed form; {@code cpu-start} starts afresh and answers the event it uses;
 *   <li>{@code quit}, or the end of the input: the server stops and the process exits.
 * </ul>
 *
 * <pre>
 * java -Djdk.tls.server.enableSessionTicketExtension=false -cp benchmarks/target/benchmarks.jar \
 *     dev.tether.benchmarks.connections.BenchServer --container=tomcat --tether=true --grace=30000 \
 *     --protocol=TLSv1.3 --keystore=bench.p12 --password=changeit
 * </pre>
 */
public final class BenchServer {
  static final int SAMPLE_MILLIS = 2;
  /** The CPU time between two samples of a CPU-time profile, in µs (whole milliseconds). */
  static final long CPU_INTERVAL_MICROS = 1_000;
  static final String CPU_INTERVAL = CPU_INTERVAL_MICROS / 1_000 + "ms";
  private static Recording recording;
  private static boolean cpuProfiling;

  private BenchServer() {}

  /** What the container classes give back: where they listen and what the driver may ask. */
  interface Running {
    int port();

    SSLSessionContext sessionContext();

    /** Returns Tether's registry, or {@code null} without Tether. */
    AssociationRegistry registry();

    void stop() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    ServerSpec spec = ServerSpec.fromArgs(args);
    boolean stateful = "false".equals(System.getProperty(StatefulSessions.PROPERTY));
    if (stateful != spec.stateful()) {
      throw new IllegalStateException("the spec says stateful=" + spec.stateful() + " but -D"
          + StatefulSessions.PROPERTY + "=" + System.getProperty(StatefulSessions.PROPERTY));
    }
    SelfSignedCertificate certificate =
        SelfSignedCertificate.loadOrCreate(spec.keyStore(), spec.password().toCharArray());
    Running server = spec.container().equals("jetty")
        ? JettyBenchServer.start(spec, certificate) : TomcatBenchServer.start(spec, certificate);
    System.out.println("port=" + server.port());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
        System.out.println(answer(line.trim(), server));
        System.out.flush();
      }
    } finally {
      server.stop();
    }
    System.exit(0);
  }

  private static String answer(String command, Running server) {
    if (command.startsWith("cpu-stop ")) {
      return stopCpuProfile(Path.of(command.substring("cpu-stop ".length()).trim()));
    }
    if (command.startsWith("jfr-stop ")) {
      return stopRecording(Path.of(command.substring("jfr-stop ".length()).trim()));
    }
    switch (command) {
      case "jfr-start":
        return startRecording();
      case "cpu-start":
        return startCpuProfile();
      case "stats":
        return stats(server.registry());
      case "sessions":
        long heap = heapAfterGc();
        return "sessions=" + Collections.list(server.sessionContext().getIds()).size()
            + " heap=" + heap;
      default:
        return "error=unknown command '" + command + "'";
    }
  }

  static String stats(AssociationRegistry registry) {
    if (registry == null) {
      return "tether=false";
    }
    AssociationStats s = registry.stats();
    return "tether=true accepted=" + s.accepted() + " negotiated=" + s.negotiated() + " reused="
        + s.reused() + " revived=" + s.revived() + " active=" + s.active() + " idle=" + s.idle()
        + " deleted=" + s.deleted() + " refused=" + s.refused() + " handshakeFailures="
        + s.handshakeFailures() + " closedBeforeHandshake=" + s.closedBeforeHandshake();
  }

  private static String startRecording() {
    if (recording != null) {
      recording.close();
    }
    recording = new Recording();
    recording.setName("tether-bench");
    recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(SAMPLE_MILLIS));
    recording.start();
    return "jfr=started";
  }

  private static String stopRecording(Path file) {
    if (recording == null) {
      return "error=no recording";
    }
    try {
      recording.stop();
      recording.dump(file);
      return "jfr=" + file;
    } catch (IOException e) {
      return "error=" + e;
    } finally {
      recording.close();
      recording = null;
    }
  }

  private static String startCpuProfile() {
    try {
      AsyncProfiler profiler = AsyncProfiler.getInstance();
      if (cpuProfiling) {
        profiler.stop();
      }
      // perf_events where the kernel allows them (kernel frames included), else the CPU-time timers
      // (a container's seccomp filter may refuse perf_event_open): each samples CPU time.
      RuntimeException refused = null;
      for (String event : List.of("cpu", "ctimer", "itimer")) {
        try {
          profiler.execute("start,event=" + event + ",interval=" + CPU_INTERVAL);
          cpuProfiling = true;
          return "cpu=" + event;
        } catch (IllegalStateException e) {
          refused = e;
        }
      }
      return "error=" + refused;
    } catch (IOException | RuntimeException | LinkageError e) {
      return "error=" + e;
    }
  }

  private static String stopCpuProfile(Path file) {
    if (!cpuProfiling) {
      return "error=no CPU profile";
    }
    try {
      AsyncProfiler profiler = AsyncProfiler.getInstance();
      profiler.stop();
      Files.writeString(file, profiler.dumpCollapsed(Counter.SAMPLES));
      return "cpu=" + file;
    } catch (IOException | RuntimeException e) {
      return "error=" + e;
    } finally {
      cpuProfiling = false;
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
