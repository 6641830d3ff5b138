package dev.tether.shop.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process the demo cluster (or a test) started: Redis, HAProxy or a shop node. Its output goes to
 * a log file, line by line, and the first line that matches the ready test completes
 * {@link #ready()}. It is stopped by its pid: SIGTERM, then SIGKILL if it has not ended within the
 * grace given.
 *
 * <p>Thread-safe.
 */
final class ChildProcess {
  private final String name;
  private final Process process;
  private final Path log;
  private final CompletableFuture<String> ready = new CompletableFuture<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private Thread copier;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} with its output (standard output and error) written to {@code log}.
   *
   * @param isReady the line that tells the process is ready, or {@code null} to wait for none
   */
  static ChildProcess start(String name, List<String> command, Path log, Predicate<String> isReady)
      throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    ChildProcess child = new ChildProcess(name, p, log);
    child.copier = new Thread(() -> child.copy(isReady), "tether-demo-log-" + name);
    child.copier.setDaemon(true);
    child.copier.start();
    if (isReady == null) {
      child.ready.complete("");
    }
    return child;
  }

  private void copy(Predicate<String> isReady) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8),
            true)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.println(line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > 20) {
            tail.removeFirst();
          }
        }
        if (isReady != null && !ready.isDone() && isReady.test(line)) {
          ready.complete(line);
        }
      }
    } catch (IOException e) {
      // the process ended, or the log cannot be written: nothing more to copy
    } finally {
      ready.completeExceptionally(new IOException(name + " ended (exit code "
          + exitCode() + ") before it was ready; its last lines:\n" + tail()));
    }
  }

  /** Completes with the ready line, or exceptionally if the process ended first. */
  CompletableFuture<String> ready() {
    return ready;
  }

  /** Waits for {@link #ready()} up to {@code timeout}. */
  String awaitReady(Duration timeout) throws IOException, InterruptedException {
    try {
      return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(name + " was not ready within " + timeout.toSeconds() + " s; its last"
          + " lines:\n" + tail());
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Returns the last lines the process wrote. */
  String tail() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  private String exitCode() {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** Sends {@code signal} ({@code KILL}, {@code STOP}, {@code CONT}, ...) to the process. */
  void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .redirectErrorStream(true).start();
    kill.getInputStream().readAllBytes();
    if (kill.waitFor() != 0 && process.isAlive()) {
      throw new IOException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  /** Waits until the process ended and its output is in the log, up to {@code timeout}; returns whether it ended. */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return false;
    }
    // The log is complete once the copier has read the output to its end.
    copier.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    return true;
  }

  /** Completes when the process ended. */
  CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** Returns the exit code of the ended process. */
  int exitValue() {
    return process.exitValue();
  }

  /** SIGTERM, then SIGKILL if the process still runs after {@code grace}; returns when it ended. */
  void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + pid() + ")";
  }
}
