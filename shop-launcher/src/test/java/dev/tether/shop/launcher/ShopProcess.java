package dev.tether.shop.launcher;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The packaged {@code tether-shop.jar} as a user runs it: {@code java -jar tether-shop.jar ARGS} in
 * the test's directory, with no JVM option but its own temporary directory ({@code tmp} there, so
 * that a test sees it cleaned up). Its standard error goes to {@code stderr.txt} in the directory;
 * its standard output is read line by line as it comes, until the process closes it.
 * {@link #close()} kills a process still alive. Not thread-safe.
 */
final class ShopProcess implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final Thread reader;
  private final List<String> stdout = new CopyOnWriteArrayList<>();

  private ShopProcess(Path dir, Process process) {
    this.dir = dir;
    this.process = process;
    this.reader = new Thread(this::read, "shop-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the jar with {@code args} in {@code dir}. */
  static ShopProcess start(Path dir, String... args) throws IOException {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> command = new ArrayList<>(List.of("-Djava.io.tmpdir=" + tmp, "-jar", jar()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(java(command))
        .directory(dir.toFile())
        .redirectError(dir.resolve("stderr.txt").toFile())
        .start();
    return new ShopProcess(dir, process);
  }

  /** The path of the packaged jar, which the build gives the tests. */
  static String jar() {
    return System.getProperty("tether.shop.jar");
  }

  /** The command that runs this JVM's {@code java} with {@code args}. */
  static List<String> java(List<String> args) {
    List<String> command = new ArrayList<>(List.of(jdkTool("java")));
    command.addAll(args);
    return command;
  }

  /** The path of one of the running JDK's programs ({@code java}, {@code jcmd}). */
  private static String jdkTool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        stdout.add(line);
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** The lines it printed so far. */
  List<String> stdout() {
    return stdout;
  }

  /** What it wrote to its standard error so far. */
  String stderr() {
    try {
      return Files.readString(dir.resolve("stderr.txt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Process process() {
    return process;
  }

  /**
   * Waits until it prints a line that {@code wanted} accepts and returns the lines up to it;
   * fails, with its standard error, if it exits first or {@code atMost} passes.
   */
  List<String> awaitLine(Predicate<String> wanted, Duration atMost) {
    try {
      await().atMost(atMost).failFast("the shop exited", () -> !process.isAlive())
          .until(() -> stdout.stream().anyMatch(wanted));
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError("no such line from the shop; it printed " + stdout
          + "; stderr: " + stderr(), e);
    }
    List<String> lines = new ArrayList<>();
    for (String line : stdout) {
      lines.add(line);
      if (wanted.test(line)) {
        return lines;
      }
    }
    throw new AssertionError("unreachable: " + stdout);
  }

  /**
   * Sends {@code signal} ({@code TERM}, or {@code INT} as Ctrl-C does) and returns whether it exited
   * within {@code atMost}, its output all read. {@link Process#destroy()} would also close this end
   * of its output, and lose its last lines.
   */
  boolean signal(String signal, Duration atMost) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
    }
    boolean exited = process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
    // The reader ends at the end of its output, with the lines printed at the stop.
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return exited;
  }

  /**
   * What to read when it did not end in time: which of {@code pids} (what it started) still run,
   * its threads ({@code jcmd PID Thread.print}) while it runs, its output and standard error.
   */
  String diagnosis(List<Long> pids) {
    StringBuilder sb = new StringBuilder("still running: ").append(pids.stream()
        .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList());
    if (process.isAlive()) {
      Path threads = dir.resolve("threads.txt");
      try {
        Process jcmd = new ProcessBuilder(jdkTool("jcmd"), Long.toString(process.pid()),
            "Thread.print").redirectErrorStream(true).redirectOutput(threads.toFile()).start();
        sb.append("\nthreads of pid ").append(process.pid()).append(":\n")
            .append(jcmd.waitFor(30, TimeUnit.SECONDS) ? Files.readString(threads)
                : "(jcmd did not answer within 30 s)");
      } catch (IOException e) {
        sb.append("\nno thread dump: ").append(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return sb.append("\nstdout: ").append(stdout).append("\nstderr: ").append(stderr()).toString();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
