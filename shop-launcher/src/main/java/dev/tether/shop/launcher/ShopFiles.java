package dev.tether.shop.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The shop's web application as the containers deploy it: the server WAR the build put next to this
 * class (web.xml, static files, the shop's classes in {@code WEB-INF/classes}; no {@code WEB-INF/lib},
 * so Tether's classes come once, from the launcher's class path), unpacked into a temporary directory
 * that also holds the container's own work files. {@link #delete()} removes it all.
 *
 * <p>Owned by one running shop; not thread-safe.
 */
final class ShopFiles {
  static final String WAR = "tether-shop-server.war";

  private final Path root;

  private ShopFiles(Path root) {
    this.root = root;
  }

  /** Unpacks the shop into a new temporary directory. */
  static ShopFiles unpack() throws IOException {
    Path root = Files.createTempDirectory("tether-shop");
    ShopFiles files = new ShopFiles(root);
    try (InputStream war = ShopFiles.class.getResourceAsStream(WAR)) {
      if (war == null) {
        throw new IOException(WAR + " is missing from the launcher's class path: build it with"
            + " 'mvn package' from the project root");
      }
      unzip(war, files.webapp());
    } catch (IOException | RuntimeException e) {
      files.delete();
      throw e;
    }
    return files;
  }

  /** Returns the unpacked web application (the directory holding {@code WEB-INF/web.xml}). */
  Path webapp() {
    return root.resolve("webapp");
  }

  /** Returns a directory for the container's work files. */
  Path work() throws IOException {
    return Files.createDirectories(root.resolve("work"));
  }

  /** Deletes the directory and everything in it; what cannot be deleted is left behind. */
  void delete() {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // A container may still hold a file open; the OS's temporary-file cleanup gets it later.
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // Same: leave it for the temporary-file cleanup.
    }
  }

  private static void unzip(InputStream war, Path target) throws IOException {
    Files.createDirectories(target);
    try (ZipInputStream zip = new ZipInputStream(war)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        Path out = target.resolve(e.getName()).normalize();
        if (!out.startsWith(target)) {
          throw new IOException(WAR + " has an entry outside its root: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(zip, out);
        }
      }
    }
  }
}
