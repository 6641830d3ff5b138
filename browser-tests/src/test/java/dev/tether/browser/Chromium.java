package dev.tether.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * One headless Chromium (Debian's {@code chromium}) driven through Debian's {@code chromedriver} by
 * Selenium: a fresh profile, its own net-log file (Chromium's record of every connection it made and
 * whether its TLS handshake resumed a session), the browser's console log, and screenshots.
 *
 * <p>Chromium runs with {@code --no-sandbox} (the tests may run as root), without GPU, QUIC, first-run
 * pages and background networking (its own requests to Google's hosts, which a closed network
 * refuses), and accepts the shop's self-signed certificate.
 *
 * <p>Not thread-safe: one test thread drives it. {@link #close()} quits the browser, which completes
 * its net-log, and deletes the profile.
 */
final class Chromium implements AutoCloseable {
  static final Path BINARY = Path.of(System.getProperty("tether.chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("tether.chromedriver", "/usr/bin/chromedriver"));
  private static final Path OUT = Path.of("target", "browser");
  private static final Path SUMMARY = OUT.resolve("netlog-summary.txt");

  static {
    try {
      Files.deleteIfExists(SUMMARY); // one run's browsers, not the last runs' too
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final String name;
  private final Path profile;
  private final Path netLogFile;
  private final ChromeDriver driver;
  private NetLog netLog;

  private Chromium(String name, Path profile, Path netLogFile, ChromeDriver driver) {
    this.name = name;
    this.profile = profile;
    this.netLogFile = netLogFile;
    this.driver = driver;
  }

  /**
   * Starts a browser; {@code name} names its files under {@code target/browser/} (net-log,
   * screenshots). Fails, naming the Debian packages, when Chromium or its driver is missing.
   */
  static Chromium start(String name) {
    requireInstalled();
    try {
      Files.createDirectories(OUT);
      Path profile = Files.createTempDirectory("tether-chromium-");
      Path netLog = OUT.resolve(name + "-netlog.json").toAbsolutePath();
      Files.deleteIfExists(netLog);
      ChromeOptions options = new ChromeOptions();
      options.setBinary(BINARY.toFile());
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-extensions",
          "--window-size=1280,900", "--user-data-dir=" + profile.toAbsolutePath(),
          "--log-net-log=" + netLog, "--net-log-capture-mode=Default");
      options.setAcceptInsecureCerts(true);
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(DRIVER.toFile())
          .usingAnyFreePort()
          .withLogFile(OUT.resolve(name + "-chromedriver.log").toFile())
          .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
      return new Chromium(name, profile, netLog, driver);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails with the Debian packages to install when Chromium or chromedriver is missing. */
  static void requireInstalled() {
    for (Path p : List.of(BINARY, DRIVER)) {
      if (!Files.isExecutable(p)) {
        throw new AssertionError(p + " is missing: the browser tests need Debian's Chromium and its "
            + "driver (apt-get install -y chromium chromium-driver; .ci/run installs them), or "
            + "-Dtether.chromium=PATH -Dtether.chromedriver=PATH");
      }
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Saves a PNG of the viewport as {@code target/browser/NAME-what.png} and returns its path. */
  Path screenshot(String what) {
    try {
      Path to = OUT.resolve(name + "-" + what + ".png");
      Path png = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.move(png, to, StandardCopyOption.REPLACE_EXISTING);
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the console entries since the last call (errors, warnings, CSP violations, ...). */
  List<LogEntry> console() {
    return driver.manage().logs().get(LogType.BROWSER).getAll();
  }

  /**
   * Quits the browser (so its net-log is complete) and returns what the net-log says; later calls
   * return the same.
   */
  NetLog quitAndReadNetLog() {
    if (netLog == null) {
      quit();
      netLog = NetLog.read(netLogFile);
    }
    return netLog;
  }

  /** Adds a line of figures about this browser to {@code target/browser/netlog-summary.txt}. */
  void summarize(String figures) {
    try {
      Files.writeString(SUMMARY, name + ": " + figures + "\n", StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void quit() {
    try {
      driver.quit();
    } catch (RuntimeException e) {
      // Already gone: nothing left to quit.
    }
  }

  @Override
  public void close() {
    quit();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // A temporary directory left behind is no failure of the test.
    }
  }
}
