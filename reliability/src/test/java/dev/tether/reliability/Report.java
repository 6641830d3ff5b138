package dev.tether.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Prints what a scenario measured and appends it to {@code target/reliability/numbers.txt}, where
 * the README's figures come from.
 */
final class Report {
  private Report() {}

  static synchronized void line(String scenario, Object... keyValues) {
    StringBuilder sb = new StringBuilder(scenario).append(':');
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      sb.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
    }
    String text = sb.toString();
    System.out.println("[reliability] " + text);
    Path dir = Path.of(System.getProperty("tether.reliability.report", "target/reliability"));
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("numbers.txt"), text + System.lineSeparator(),
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
