package dev.tether.it.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What the distribution tests share: the archives Maven copied to {@code target/dist}, commands run
 * the way an operator types them (in a directory, to completion), a server process followed through
 * its log, stopped by its pid, and reached over JMX by attaching to it.
 *
 * <p>Not thread-safe; the tests run one at a time.
 */
final class Distribution {
  static final Path DIST = Path.of(System.getProperty("tether.dist.directory", "target/dist"));
  static final Path WORK = Path.of(System.getProperty("tether.dist.work", "target/work"));
  static final String VERSION = System.getProperty("tether.version");
  static final String JAVA_HOME = System.getProperty("java.home");
  static final String JAVA = Path.of(JAVA_HOME, "bin", "java").toString();
  /** A start on two loaded cores can take a while; a stop should not. */
  static final Duration START = Duration.ofSeconds(90);
  static final Duration STOP = Duration.ofSeconds(30);
  static final String PASSWORD = "changeit";
  static final Path README = Path.of(System.getProperty("tether.readme", "../../README.md"));

  private Distribution() {}

  /** Returns an empty directory {@code target/work/name}, deleting what an earlier run left. */
  static Path fresh(String name) {
    Path dir = WORK.resolve(name);
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> all = Files.walk(dir)) {
          for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a command in {@code dir} to completion, as a shell would, and returns what it printed.
   *
   * @throws AssertionError with the output if it does not exit with 0 within two minutes
   */
  static String run(Path dir, Map<String, String> env, String... command) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
          .redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      boolean done = p.waitFor(2, TimeUnit.MINUTES);
      String text = new String(out, StandardCharsets.UTF_8);
      assertThat(done && p.exitValue() == 0)
          .as("%s in %s exited %s:%n%s", String.join(" ", command), dir,
              done ? p.exitValue() : "(still running)", text)
          .isTrue();
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String run(Path dir, String... command) {
    return run(dir, Map.of(), command);
  }

  /**
   * Makes the server's key store as the README says (the JDK's {@code keytool}, an EC key for
   * localhost) and writes its certificate in PEM to {@code ca.pem} beside it, for openssl.
   */
  static Path keyStore(Path keyStore) {
    Path dir = keyStore.getParent();
    String keytool = Path.of(JAVA_HOME, "bin", "keytool").toString();
    run(dir, keytool, "-genkeypair", "-alias", "tether", "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", "CN=localhost", "-ext",
        "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keyStore.getFileName().toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD);
    String pem = run(dir, keytool, "-exportcert", "-rfc", "-alias", "tether", "-keystore",
        keyStore.getFileName().toString(), "-storepass", PASSWORD);
    Path ca = dir.resolve("ca.pem");
    write(ca, pem.substring(pem.indexOf("-----BEGIN")));
    return ca;
  }

  /** The {@code keytool} line the README gives, for a key store at {@code path}. */
  static String readmeKeytool(String path) {
    return "keytool -genkeypair -alias tether -keyalg EC -groupname secp256r1 -dname CN=localhost \\\n"
        + "    -ext SAN=dns:localhost,ip:127.0.0.1 -keystore " + path
        + " -storetype PKCS12 -storepass changeit";
  }

  /** Returns a port nobody listens on now (the server binds it a moment later). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void append(Path file, String text) {
    write(file, read(file) + text);
  }

  /** Returns the lines of {@code text} that contain {@code part}. */
  static List<String> lines(String text, String part) {
    List<String> found = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.contains(part)) {
        found.add(line);
      }
    }
    return found;
  }

  /** A server JVM, known by its pid, writing to a log file. */
  static final class Server implements AutoCloseable {
    final ProcessHandle jvm;
    final Path log;
    final int port;

    Server(ProcessHandle jvm, Path log, int port) {
      this.jvm = jvm;
      this.log = log;
      this.port = port;
    }

    String log() {
      return read(log);
    }

    /** Waits until the log holds {@code text}. */
    void awaitLog(String text) {
      await().atMost(STOP).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertThat(log()).contains(text));
    }

    /** Connects to the JVM's platform MBean server through the JDK's attach API. */
    JMXConnector jmx() throws Exception {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(jvm.pid()));
      try {
        return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
      } finally {
        vm.detach();
      }
    }

    /**
     * Waits until the Tether MBean matching {@code name} counts no open lease: the server has seen
     * every connection close (a client sees its connection end a moment before the server has
     * released it).
     */
    void awaitNoLeases(String name) throws Exception {
      try (JMXConnector connector = jmx()) {
        MBeanServerConnection jmx = connector.getMBeanServerConnection();
        ObjectName mbean = jmx.queryNames(new ObjectName(name), null).iterator().next();
        await().atMost(STOP).pollInterval(Duration.ofMillis(20)).until(
            () -> ((Number) jmx.getAttribute(mbean, "leases")).longValue() == 0);
      }
    }

    /** Stops the server as an operator does, by its pid (SIGTERM), and waits until it is gone. */
    void stop() {
      if (!jvm.isAlive()) {
        return;
      }
      jvm.destroy();
      try {
        await().atMost(STOP).until(() -> !jvm.isAlive());
      } finally {
        if (jvm.isAlive()) {
          jvm.destroyForcibly();
        }
      }
    }

    @Override
    public void close() {
      stop();
    }
  }

  /** Returns the first group of {@code pattern} in {@code text}, failing with the text if none. */
  static String find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    assertThat(m.find()).as("%s in:%n%s", pattern, text).isTrue();
    return m.group(1);
  }
}
