package dev.tether.benchmarks.connections;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by the driver that speaks one line per command on its standard input and output
 * ({@link BenchServer}, {@link TlsClient}). Its standard error goes to a log file. Closing it says
 * {@code quit} and, if it does not exit in time, destroys it.
 *
 * <p>Not thread-safe: one driver thread talks to it.
 */
class ChildProcess implements AutoCloseable {
  /** Linux's clock tick for per-thread CPU times (USER_HZ, {@code getconf CLK_TCK}: 100 on x86 and ARM). */
  private static final long NANOS_PER_TICK = 10_000_000;

  private final String name;
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final Path log;

  ChildProcess(String name, List<String> command, Path log) throws IOException {
    this.name = name;
    this.log = log;
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    this.process = builder.start();
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /**
   * Returns {@code command} run on the given CPUs only ({@code taskset -c cpus}), or unchanged if
   * {@code cpus} is empty. Pinning servers and clients to CPUs of their own keeps them from taking
   * each other's time on a small machine.
   */
  static List<String> pinned(String cpus, List<String> command) {
    if (cpus.isEmpty()) {
      return command;
    }
    List<String> pinned = new ArrayList<>(List.of("taskset", "-c", cpus));
    pinned.addAll(command);
    return pinned;
  }

  /** The command that starts {@code mainClass} in a JVM like this one, with {@code jvmArgs}. */
  static List<String> java(String classPath, List<String> jvmArgs, Class<?> mainClass,
      List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass.getName());
    command.addAll(args);
    return command;
  }

  /** Reads the next line the process prints; fails, naming the log, if it exited instead. */
  String readLine() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IOException(name + " exited (" + exitCode() + "); see " + log);
    }
    return line;
  }

  /** Sends a command and returns the answer's {@code key=value} pairs. */
  Map<String, String> ask(String command) throws IOException {
    in.write(command + "\n");
    in.flush();
    String answer = readLine();
    Map<String, String> values = pairs(answer);
    if (values.containsKey("error")) {
      throw new IOException(name + ": '" + command + "' failed: " + answer);
    }
    return values;
  }

  static Map<String, String> pairs(String line) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String word : line.trim().split("\\s+")) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        values.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    return values;
  }

  /** Returns the CPU time the process has used so far, user and system, all threads. */
  Duration cpu() {
    return process.toHandle().info().totalCpuDuration().orElseThrow(
        () -> new IllegalStateException("the CPU time of " + name + " cannot be read here"));
  }

  /**
   * Returns the CPU time the JVM's JIT compiler threads have used so far ({@code C1/C2 CompilerThre}
   * in {@code /proc/<pid>/task/*\/comm}), or zero where the system has no {@code /proc}. Compiling is
   * work a server does once, while it warms up; a round it falls into is not yet a steady state.
   */
  Duration compilerCpu() {
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    if (!Files.isDirectory(tasks)) {
      return Duration.ZERO;
    }
    long ticks = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        try {
          String comm = Files.readString(thread.resolve("comm")).trim();
          if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            // stat: "pid (comm) state ...": utime and stime are the 12th and 13th fields after comm
            String stat = Files.readString(thread.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(ticks * NANOS_PER_TICK);
  }

  long pid() {
    return process.pid();
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? "exit code " + process.exitValue() : "running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() {
    try {
      in.write("quit\n");
      in.flush();
      in.close();
    } catch (IOException e) {
      // it is gone already
    }
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
