package dev.tether.shop.launcher;

import dev.tether.PolicySet;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the sample shop with Tether on embedded Jetty (default) or Tomcat over HTTPS: the
 * {@code tether-shop.jar} entry point, and the same as a library call for tests and demos.
 *
 * <pre>
 * java -jar sample-webapp/target/tether-shop.jar [--container tomcat] [--port 8443] [--grace 30s] ...
 * </pre>
 *
 * <pre>{@code
 * RunningShop shop = ShopLauncher.start(LauncherOptions.parse("--container", "tomcat", "--port", "0"));
 * // ... https://localhost:shop.port()/ ...
 * shop.stop();
 * }</pre>
 *
 * <p>At the first start a self-signed certificate for {@code localhost} is made with Bouncy Castle and
 * kept in the key store file ({@code --keystore}); later starts reuse it, so a browser's exception for
 * it lasts. Options are in {@link LauncherOptions#usage()}.
 *
 * <p>The JDK must keep TLS sessions statefully ({@code -Djdk.tls.server.enableSessionTicketExtension=false},
 * read once when the JDK's TLS classes initialize): {@link #main} sets it before anything else; a
 * program calling {@link #start} must start its JVM with it, or the start fails saying so. So that a
 * client's renegotiation is refused with a fatal alert, {@link #main} also sets
 * {@code -Djdk.tls.rejectClientInitiatedRenegotiation=true} unless the command line gave it a value;
 * without it the start logs a WARN.
 *
 * <p>Without {@code --policies} the shop runs one policy for everybody, {@code strong}
 * ({@link StrongPolicy}): TLS 1.2 and 1.3 with AEAD cipher suites only.
 *
 * <p>Threading: {@link #start} may be called from any thread; each call starts its own server.
 */
public final class ShopLauncher {
  /** The password of the key store file. The certificate is a self-signed one for localhost. */
  public static final String KEYSTORE_PASSWORD = "tether-shop";
  /**
   * System property: the pid of a process (the demo cluster) whose end stops this shop, as Ctrl-C
   * would.
   */
  static final String PARENT_PROPERTY = "tether.shop.parent";

  private ShopLauncher() {}

  /**
   * Starts the shop and serves until the process is stopped (Ctrl-C, SIGTERM). Exit codes: 0 after a
   * normal stop or {@code --help}, 1 if the shop could not start, 2 for a bad option; the error is
   * one line on standard error, naming the option.
   */
  public static void main(String[] args) {
    // First of all: the JDK reads these once, when its TLS server classes initialize.
    System.setProperty(StatefulSessions.PROPERTY, "false");
    if (System.getProperty(ClientRenegotiation.PROPERTY) == null) {
      System.setProperty(ClientRenegotiation.PROPERTY, "true");
    }
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      // One line per record for Tomcat's and Tether's java.util.logging output.
      System.setProperty("java.util.logging.SimpleFormatter.format",
          "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    followParent();
    int code = List.of(args).contains(DemoCluster.OPTION)
        ? DemoCluster.run(args, System.out, System.err)
        : run(args, System.out, System.err, shop -> serveUntilShutdown(shop, System.out));
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Stops this JVM (its shutdown hook stops the shop) when the process that started it ends. */
  private static void followParent() {
    String parent = System.getProperty(PARENT_PROPERTY);
    if (parent == null) {
      return;
    }
    ProcessHandle.of(Long.parseLong(parent.trim())).ifPresentOrElse(
        p -> p.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
  }

  /**
   * The command line without the process around it: prints the usage for {@code --help}, otherwise
   * starts the shop, prints its startup lines to {@code out} and hands it to {@code serve}; a failure
   * is printed as one line to {@code err}.
   *
   * @return the exit code: 0, {@link LaunchException#START_FAILURE} or {@link LaunchException#USAGE}
   */
  static int run(String[] args, PrintStream out, PrintStream err, Consumer<RunningShop> serve) {
    List<String> list = List.of(args);
    if (list.contains("--help") || list.contains("-h")) {
      out.print(LauncherOptions.usage());
      out.flush();
      return 0;
    }
    RunningShop shop;
    try {
      shop = start(LauncherOptions.parse(args));
    } catch (LaunchException e) {
      err.println("tether-shop: " + e.getMessage()
          + (e.isUsageError() ? "  (java -jar tether-shop.jar --help lists the options)" : ""));
      err.flush();
      return e.exitCode();
    }
    out.println(shop.startupLines());
    out.flush();
    serve.accept(shop);
    return 0;
  }

  /**
   * Starts the shop.
   *
   * @throws LaunchException a usage error (unknown host, unreadable or invalid policy file, policy
   *     file on a Tomcat adapter without policies) or a start failure (port in use, unreadable key
   *     store, the container or Tether refusing to start), each naming the option concerned
   */
  public static RunningShop start(LauncherOptions options) throws LaunchException {
    InetAddress address = resolve(options.host());
    if (options.proxyProtocol() && options.container() == Container.TOMCAT) {
      throw LaunchException.usage("--proxy-protocol: Tomcat 11 cannot read the PROXY protocol;"
          + " run this node on Jetty (--container jetty), or leave the option off and the balancer"
          + " is every client's address (README, \"Running several nodes\")");
    }
    PolicySet policies = options.policies() == null ? null : loadPolicies(options.policies());
    ShopCluster cluster = options.cluster() == null ? null : ShopCluster.open(options.cluster());
    try {
      if (cluster != null && options.port() == 0) {
        // A node announces its address to the others, so its port is chosen before it starts.
        options = options.withPort(freePort(address, options));
      }
      checkPortFree(address, options);
      boolean created = !Files.exists(options.keystore());
      SelfSignedCertificate certificate = certificate(options.keystore());
      ShopFiles files;
      try {
        files = ShopFiles.unpack();
      } catch (IOException e) {
        throw LaunchException.startFailure("cannot unpack the shop: " + e.getMessage(), e);
      }
      try {
        ShopServer server = switch (options.container()) {
          case JETTY -> JettyShop.start(options, certificate, files, policies, cluster);
          case TOMCAT -> TomcatShop.start(options, certificate, files, options.policies(), cluster);
        };
        return new RunningShop(options, server, files, certificate, created, cluster);
      } catch (LaunchException e) {
        files.delete();
        throw e;
      } catch (Exception | LinkageError e) {
        files.delete();
        throw startFailure(options, e);
      }
    } catch (LaunchException | RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
  }

  private static void serveUntilShutdown(RunningShop shop, PrintStream out) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shop.stop();
      out.println(shop.stoppedLine());
      out.flush();
    }, "tether-shop-shutdown"));
    try {
      shop.awaitStop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shop.stop();
    }
  }

  private static InetAddress resolve(String host) throws LaunchException {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw LaunchException.usage("--host " + host + ": unknown host");
    }
  }

  private static PolicySet loadPolicies(Path file) throws LaunchException {
    try {
      return PolicySet.load(file);
    } catch (NoSuchFileException e) {
      throw LaunchException.usage("--policies " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw LaunchException.usage("--policies " + file + ": permission denied");
    } catch (IOException e) {
      throw LaunchException.usage("--policies " + file + ": cannot read it (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      // The message names the file and the line.
      throw LaunchException.usage("--policies: " + e.getMessage());
    }
  }

  /** Returns a port free on {@code address} now. */
  private static int freePort(InetAddress address, LauncherOptions options) throws LaunchException {
    try (ServerSocket probe = new ServerSocket(0, 1, address)) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw LaunchException.startFailure("--host " + options.host() + " --port 0: cannot listen"
          + " there (" + e.getMessage() + ")", e);
    }
  }

  /** Fails early, with a clear message and before any container logs, if the port is taken. */
  private static void checkPortFree(InetAddress address, LauncherOptions options)
      throws LaunchException {
    if (options.port() == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      // As the containers bind: an old connection in TIME_WAIT does not make the port busy.
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(address, options.port()));
    } catch (BindException e) {
      throw portInUse(options, e);
    } catch (IOException e) {
      throw LaunchException.startFailure("--host " + options.host() + " --port " + options.port()
          + ": cannot listen there (" + e.getMessage() + ")", e);
    }
  }

  private static LaunchException portInUse(LauncherOptions options, Throwable cause) {
    return LaunchException.startFailure("--port " + options.port() + ": " + options.host() + ":"
        + options.port() + " is already in use (another server? choose one with --port)", cause);
  }

  private static SelfSignedCertificate certificate(Path keystore) throws LaunchException {
    try {
      return SelfSignedCertificate.loadOrCreate(keystore, KEYSTORE_PASSWORD.toCharArray());
    } catch (IOException | RuntimeException e) {
      throw LaunchException.startFailure("--keystore " + keystore + ": " + e.getMessage()
          + " (delete the file to make a new certificate)", e);
    }
  }

  private static LaunchException startFailure(LauncherOptions options, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return portInUse(options, e);
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : root.toString();
    return LaunchException.startFailure("cannot start the shop on "
        + options.container().displayName() + ": " + message.replace('\n', ' '), e);
  }
}
