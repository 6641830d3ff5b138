package dev.tether.benchmarks.connections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code h2load} (nghttp2's load generator, written in C: a lean client for a 2-core machine) for
 * a number of requests over HTTP/1.1 with {@code Connection: close}, so that it reconnects for every
 * request. It resumes its TLS session when it reconnects (Tether's counters show it). Or, for the
 * {@code h2} load, over HTTP/2: a few connections for the whole round, many streams on each, so that
 * what is measured is Tether's cost per request.
 *
 * <p>Its {@code -D} (duration) option is not used: with {@code Connection: close} h2load 1.52 kept
 * reconnecting long past the duration. Rounds are given as a number of requests instead.
 */
final class H2load {
  private static final Pattern FINISHED =
      Pattern.compile("finished in ([0-9.]+)(s|ms|us),");
  private static final Pattern REQUESTS = Pattern.compile(
      "requests: \\d+ total, \\d+ started, \\d+ done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");

  private final String executable;

  private final String cpus;

  H2load(String executable, String cpus) {
    this.executable = executable;
    this.cpus = cpus;
  }

  /** Streams at once on each HTTP/2 connection ({@code -m}). */
  static final int STREAMS = 10;

  /** Returns the command for {@code requests} requests from {@code clients} concurrent clients. */
  List<String> command(int port, long requests, int clients) {
    return command(port, "/ok", requests, clients);
  }

  /** The same for the page {@code path}. */
  List<String> command(int port, String path, long requests, int clients) {
    return ChildProcess.pinned(cpus, List.of(executable, "--h1", "-H", "Connection: close", "-n", Long.toString(requests),
        "-c", Integer.toString(clients), "-t", "1", "https://127.0.0.1:" + port + path));
  }

  /**
   * Returns the command for {@code requests} HTTP/2 requests (ALPN h2) over {@code clients}
   * connections that last the whole round, {@link #STREAMS} streams at once on each.
   */
  List<String> http2Command(int port, long requests, int clients) {
    return ChildProcess.pinned(cpus, List.of(executable, "-n", Long.toString(requests),
        "-c", Integer.toString(clients), "-m", Integer.toString(STREAMS), "-t", "1",
        "https://127.0.0.1:" + port + "/ok"));
  }

  Round.ClientResult run(int port, long requests, int clients) throws IOException,
      InterruptedException {
    return run(port, "/ok", requests, clients, Duration.ofSeconds(60));
  }

  /** Runs h2load for the page {@code path}, waiting for it at most {@code limit}. */
  Round.ClientResult run(int port, String path, long requests, int clients, Duration limit)
      throws IOException, InterruptedException {
    return run(command(port, path, requests, clients), limit);
  }

  /** Runs HTTP/2 requests; the result counts requests, not connections. */
  Round.ClientResult runHttp2(int port, long requests, int clients) throws IOException,
      InterruptedException {
    return run(http2Command(port, requests, clients), Duration.ofSeconds(60));
  }

  private Round.ClientResult run(List<String> command, Duration limit)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("h2load failed: " + tail(output));
    }
    return parse(output);
  }

  /**
   * Reads the connections done and the time taken from h2load's summary. A request counts if it got
   * an answer, that is without a transport error ("errored"): "succeeded" plus "failed" less
   * "errored". h2load 1.52 counts a complete {@code 200} answer as "failed" when its status line has
   * no reason phrase, which is how Tomcat answers ({@code HTTP/1.1 200 }), so its "succeeded" would
   * read 0 for Tomcat; and the requests a failed connection abandons are "failed" and "errored" but
   * not "done", so "done" less "errored" can be negative.
   */
  static Round.ClientResult parse(String output) throws IOException {
    Matcher finished = FINISHED.matcher(output);
    Matcher requests = REQUESTS.matcher(output);
    if (!finished.find() || !requests.find()) {
      throw new IOException("cannot read h2load's summary: " + tail(output));
    }
    double time = Double.parseDouble(finished.group(1));
    double unit = switch (finished.group(2)) {
      case "s" -> 1e9;
      case "ms" -> 1e6;
      default -> 1e3;
    };
    long answered = Long.parseLong(requests.group(1)) + Long.parseLong(requests.group(2));
    long errored = Long.parseLong(requests.group(3));
    return new Round.ClientResult(answered - errored, errored, (long) (time * unit));
  }

  private static String tail(String output) {
    return output.length() > 2000 ? output.substring(output.length() - 2000) : output;
  }
}
