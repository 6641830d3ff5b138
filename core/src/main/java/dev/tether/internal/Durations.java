package dev.tether.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations people write in settings: {@code 0}, {@code 500ms}, {@code 30s}, {@code 15m},
 * {@code 2h}, {@code 1d}, ISO-8601 {@code PT30S}, or plain milliseconds ({@code 30000}, as the
 * containers' settings always took them). One syntax for the policy files, both adapters and the
 * launcher.
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @param setting the setting's name, for the error message
   * @throws IllegalArgumentException naming the setting and the text if it is not a non-negative duration
   */
  public static Duration parse(String setting, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SIMPLE.matcher(t);
    try {
      Duration d = null;
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        d = switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      } else if (t.startsWith("p")) {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      // Time is kept in nanoseconds: about 292 years is the longest a setting can mean.
      if (d != null && !d.isNegative() && d.toNanos() >= 0) {
        return d;
      }
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(setting + "='" + text
        + "' is not a duration: write e.g. 0, 500ms, 30s, 15m, 2h, 1d, PT30S or milliseconds (30000)");
  }

  /** Formats a duration the way {@link #parse} reads it, in the largest exact unit. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
