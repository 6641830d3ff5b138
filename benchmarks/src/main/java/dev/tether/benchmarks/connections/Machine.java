package dev.tether.benchmarks.connections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The machine a report was measured on, read from {@code /proc} and the JVM (Linux). */
final class Machine {
  private Machine() {}

  static String describe(String h2load) {
    String cpu = grep(Path.of("/proc/cpuinfo"), "model name").orElse("unknown CPU");
    String ram = grep(Path.of("/proc/meminfo"), "MemTotal")
        .map(kb -> String.format("%.1f GiB", Long.parseLong(kb.replaceAll("\\D", "")) / 1048576.0))
        .orElse("unknown");
    String os = grep(Path.of("/etc/os-release"), "PRETTY_NAME").map(s -> s.replace("\"", ""))
        .orElse(System.getProperty("os.name"));
    return "- CPU: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores ("
        + "`nproc`)\n"
        + "- RAM: " + ram + "\n"
        + "- OS: " + os + ", kernel " + System.getProperty("os.version") + "\n"
        + "- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
        + " (" + System.getProperty("java.vm.vendor") + ")\n"
        + "- h2load: " + version(h2load) + "\n"
        + "- Load average at the start (1, 5, 15 min): " + loadAverage() + "\n";
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return "unknown";
    }
  }

  private static Optional<String> grep(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          int sep = line.indexOf(line.contains(":") ? ':' : '=');
          return Optional.of(line.substring(sep + 1).trim());
        }
      }
    } catch (IOException e) {
      // not Linux, or not readable
    }
    return Optional.empty();
  }

  private static String version(String executable) {
    try {
      Process p = new ProcessBuilder(List.of(executable, "--version")).redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return out.isEmpty() ? "unknown" : out;
    } catch (IOException e) {
      return "not found (" + executable + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
