package dev.tether.benchmarks.connections;

import java.io.IOException;

/** What loads a server for one round: the Java client in one of its modes, or h2load. */
interface Load {

  /** The load's name in options: {@code full}, {@code resume}, {@code h2load} or {@code h2}. */
  String name();

  /** How the load is described in reports. */
  String description();

  Round.ClientResult run(int port, String protocol) throws IOException, InterruptedException;

  /** Learns from a warm-up round how much work makes a round of the configured length. */
  default void calibrate(Round warmUp) {}

  /** The Java client: every connection a full handshake ({@code full}) or a resumption ({@code resume}). */
  static Load java(ChildProcess client, String mode, int threads, long seconds) {
    return new Load() {
      @Override
      public String name() {
        return mode;
      }

      @Override
      public String description() {
        return mode.equals("full") ? "JDK client, new session per connection"
            : "JDK client, each thread reconnects resuming";
      }

      @Override
      public Round.ClientResult run(int port, String protocol) throws IOException {
        var r = client.ask("run port=" + port + " protocol=" + protocol + " mode=" + mode
            + " threads=" + threads + " seconds=" + seconds);
        return new Round.ClientResult(Long.parseLong(r.get("connections")),
            Long.parseLong(r.get("failures")), Long.parseLong(r.get("nanos")));
      }
    };
  }

  /**
   * h2load over HTTP/2: {@code clients} connections for the whole round, {@link H2load#STREAMS}
   * streams at once on each; a round is as many requests as took about {@code seconds} in the first
   * warm-up, and its "connections" are requests.
   */
  static Load http2(H2load h2load, int clients, long seconds) {
    return new Load() {
      private long requests = clients * 1_000L;

      @Override
      public String name() {
        return "h2";
      }

      @Override
      public String description() {
        return "h2load over HTTP/2, " + clients + " connections x " + H2load.STREAMS
            + " streams (per request)";
      }

      @Override
      public Round.ClientResult run(int port, String protocol)
          throws IOException, InterruptedException {
        return h2load.runHttp2(port, requests, clients);
      }

      @Override
      public void calibrate(Round warmUp) {
        requests = Math.max(clients * 200L, (long) (warmUp.perSecond() * seconds));
      }
    };
  }

  /** h2load, with as many requests per round as took about {@code seconds} in the first warm-up. */
  static Load h2load(H2load h2load, int clients, long seconds) {
    return new Load() {
      private long requests = clients * 100L;

      @Override
      public String name() {
        return "h2load";
      }

      @Override
      public String description() {
        return "h2load, " + clients + " clients reconnecting";
      }

      @Override
      public Round.ClientResult run(int port, String protocol)
          throws IOException, InterruptedException {
        return h2load.run(port, requests, clients);
      }

      @Override
      public void calibrate(Round warmUp) {
        requests = Math.max(clients * 20L, (long) (warmUp.perSecond() * seconds));
      }
    };
  }
}
