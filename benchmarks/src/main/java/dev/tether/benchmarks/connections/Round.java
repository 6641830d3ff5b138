package dev.tether.benchmarks.connections;

import java.util.Map;

/**
 * One measured round of one server variant: what the client did, the server's CPU time over the
 * round, and (with Tether) how the server's SA counters moved.
 *
 * @param connections connections that completed a request
 * @param failures connections that failed
 * @param nanos the client's wall time for the round
 * @param cpuNanos the server process's CPU time over the round (user + system, every thread but the
 *     JIT compiler's: compiling is a warming server's one-off work, not a connection's)
 * @param compilerNanos the JIT compiler threads' CPU time over the round
 * @param counts the Tether counters' increase over the round, or {@code null} without Tether
 */
record Round(long connections, long failures, long nanos, long cpuNanos, long compilerNanos,
    Counts counts) {

  /** What a client reports for a round. */
  record ClientResult(long connections, long failures, long nanos) {}

  /**
   * Tether's counters: SAs {@code negotiated} (full handshakes), connections that {@code reused} an
   * SA (resumptions), and of those the ones that {@code revived} an idle SA within its grace.
   */
  record Counts(long negotiated, long reused, long revived) {
    static Counts of(Map<String, String> stats) {
      if (!Boolean.parseBoolean(stats.get("tether"))) {
        return null;
      }
      return new Counts(Long.parseLong(stats.get("negotiated")), Long.parseLong(stats.get("reused")),
          Long.parseLong(stats.get("revived")));
    }

    Counts minus(Counts before) {
      return new Counts(negotiated - before.negotiated, reused - before.reused,
          revived - before.revived);
    }

    Counts plus(Counts other) {
      return other == null ? this : new Counts(negotiated + other.negotiated,
          reused + other.reused, revived + other.revived);
    }
  }

  double perSecond() {
    return connections * 1e9 / nanos;
  }

  /** The JIT compiler's part of the server's CPU time over the round, 0 to 1. */
  double compilerShare() {
    long all = cpuNanos + compilerNanos;
    return all == 0 ? 0 : (double) compilerNanos / all;
  }

  /** Server CPU microseconds per completed connection, the JIT compiler's left out. */
  double cpuMicrosPerConnection() {
    return connections == 0 ? Double.NaN : cpuNanos / 1e3 / connections;
  }
}
