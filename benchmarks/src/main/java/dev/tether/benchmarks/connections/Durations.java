package dev.tether.benchmarks.connections;

/** Short texts for durations in reports: {@code 0}, {@code 250ms}, {@code 30s}. */
final class Durations {
  private Durations() {}

  static String text(long millis) {
    if (millis == 0) {
      return "0";
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
