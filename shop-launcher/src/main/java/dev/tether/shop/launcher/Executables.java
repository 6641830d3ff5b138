package dev.tether.shop.launcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the programs the demo cluster runs: {@code redis-server} and {@code haproxy}, from Debian's
 * packages of the same names. They are looked for on the {@code PATH} and in the {@code sbin}
 * directories, which Debian does not put on a user's {@code PATH} ({@code /usr/sbin/haproxy}).
 * The system property {@value #PATH_PROPERTY} replaces that list of directories (for tests).
 *
 * <p>Stateless.
 */
final class Executables {
  /** The directories to look in instead of the PATH and sbin, separated as the PATH is. */
  static final String PATH_PROPERTY = "tether.demo.path";
  /** The programs and the Debian packages that hold them. */
  static final Map<String, String> PACKAGES = new LinkedHashMap<>();

  static {
    PACKAGES.put("redis-server", "redis-server");
    PACKAGES.put("haproxy", "haproxy");
  }

  private Executables() {
  }

  /** Returns the program {@code name}, if installed. */
  static Optional<Path> find(String name) {
    for (String dir : directories()) {
      if (dir.isBlank()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns every program of {@link #PACKAGES}, by name.
   *
   * @throws LaunchException one line naming what is missing and the Debian packages to install
   */
  static Map<String, Path> require() throws LaunchException {
    Map<String, Path> found = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : PACKAGES.keySet()) {
      find(name).ifPresentOrElse(p -> found.put(name, p), () -> missing.add(name));
    }
    if (!missing.isEmpty()) {
      List<String> packages = missing.stream().map(PACKAGES::get).toList();
      throw LaunchException.startFailure("--demo-cluster: " + String.join(" and ", missing)
          + (missing.size() == 1 ? " is" : " are") + " not installed; on Debian: sudo apt-get"
          + " install -y " + String.join(" ", packages), null);
    }
    return found;
  }

  private static List<String> directories() {
    String override = System.getProperty(PATH_PROPERTY);
    List<String> dirs = new ArrayList<>();
    if (override != null) {
      dirs.addAll(List.of(override.split(File.pathSeparator)));
      return dirs;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin"));
    return dirs;
  }
}
