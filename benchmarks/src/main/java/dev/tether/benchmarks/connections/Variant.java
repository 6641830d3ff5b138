package dev.tether.benchmarks.connections;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One benchmark server process (a {@link ServerSpec} running in a {@link BenchServer}) and the
 * questions the driver asks it between rounds.
 */
final class Variant implements AutoCloseable {
  final ServerSpec spec;
  private final ChildProcess process;
  final int port;

  private Variant(ServerSpec spec, ChildProcess process, int port) {
    this.spec = spec;
    this.process = process;
    this.port = port;
  }

  /**
   * Starts the server JVMs side by side, each with {@code jvmArgs} (the same for every variant) and
   * its own session mode, and waits until each listens; their logs go to {@code logDir}, named with
   * {@code suffix}. If one fails, all are stopped.
   */
  static List<Variant> startAll(List<ServerSpec> specs, String classPath, List<String> jvmArgs,
      String cpus, Path logDir, String suffix) throws IOException {
    List<ChildProcess> started = new ArrayList<>();
    List<Variant> variants = new ArrayList<>();
    try {
      for (ServerSpec spec : specs) {
        String name = spec.container() + "-" + spec.protocol() + "-"
            + spec.label().replaceAll("[ =,]+", "-") + suffix;
        List<String> flags = new ArrayList<>(jvmArgs);
        flags.addAll(spec.jvmFlags());
        started.add(new ChildProcess(name,
            ChildProcess.pinned(cpus,
                ChildProcess.java(classPath, flags, BenchServer.class, spec.toArgs())),
            logDir.resolve(name + ".log")));
      }
      for (int i = 0; i < specs.size(); i++) {
        ChildProcess p = started.get(i);
        Map<String, String> first = ChildProcess.pairs(p.readLine());
        if (!first.containsKey("port")) {
          throw new IOException(p + " said " + first + " instead of its port");
        }
        variants.add(new Variant(specs.get(i), p, Integer.parseInt(first.get("port"))));
      }
      return variants;
    } catch (IOException | RuntimeException e) {
      started.forEach(ChildProcess::close);
      throw e;
    }
  }

  /** Returns Tether's counters, or {@code null} without Tether. */
  Round.Counts counts() throws IOException {
    return Round.Counts.of(process.ask("stats"));
  }

  /** Returns the sessions in the server's session cache and the heap in use, after a full GC. */
  Map<String, String> sessions() throws IOException {
    return process.ask("sessions");
  }

  /** Starts a flight recording of the server's CPU samples. */
  void startRecording() throws IOException {
    process.ask("jfr-start");
  }

  /** Stops the recording and writes it to {@code file}. */
  void stopRecording(Path file) throws IOException {
    process.ask("jfr-stop " + file);
  }

  /** Starts a CPU-time profile of the server (async-profiler), afresh. */
  void startCpuProfile() throws IOException {
    expect(process.ask("cpu-start"), "cpu");
  }

  /** Stops the CPU-time profile and writes its collapsed stacks to {@code file}. */
  void stopCpuProfile(Path file) throws IOException {
    expect(process.ask("cpu-stop " + file), "cpu");
  }

  private static void expect(Map<String, String> answer, String key) throws IOException {
    if (!answer.containsKey(key)) {
      throw new IOException("the server answered " + answer);
    }
  }

  /** The server's CPU time so far, user and system, all threads. */
  long cpuNanos() {
    return process.cpu().toNanos();
  }

  /** The CPU time of the server's JIT compiler threads so far (zero where it cannot be read). */
  long compilerNanos() {
    return process.compilerCpu().toNanos();
  }

  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return spec.label();
  }
}
