package dev.tether.shop.launcher;

import dev.tether.AssociationRegistry;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.internal.Durations;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The shop started by {@link ShopLauncher#start}: where it listens, its registry and certificate, and
 * the way to stop it.
 *
 * <p>Thread-safe. {@link #stop()} may be called from any thread, any number of times (a shutdown hook
 * and a test, say): the first call stops the container, closes the registry and deletes the shop's
 * temporary files; later calls wait for that to finish.
 *
 * <pre>{@code
 * try (RunningShop shop = ShopLauncher.start(LauncherOptions.parse("--port", "0"))) {
 *   URI home = shop.uri();                       // https://localhost:PORT/
 *   SSLContext client = shop.certificate().clientContext();
 * }
 * }</pre>
 */
public final class RunningShop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RunningShop.class.getName());

  private final LauncherOptions options;
  private final ShopServer server;
  private final ShopFiles files;
  private final SelfSignedCertificate certificate;
  private final boolean keystoreCreated;
  private final ShopCluster cluster;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  RunningShop(LauncherOptions options, ShopServer server, ShopFiles files,
      SelfSignedCertificate certificate, boolean keystoreCreated, ShopCluster cluster) {
    this.options = options;
    this.server = server;
    this.files = files;
    this.certificate = certificate;
    this.keystoreCreated = keystoreCreated;
    this.cluster = cluster;
  }

  /** Returns the options the shop was started with. */
  public LauncherOptions options() {
    return options;
  }

  /** Returns the container the shop runs on. */
  public Container container() {
    return options.container();
  }

  /** Returns the port the shop listens on (the free port chosen for {@code --port 0}). */
  public int port() {
    return server.port();
  }

  /**
   * Returns the shop's address, {@code https://localhost:PORT/} when it listens on this machine's
   * loopback or every interface (the certificate is made for {@code localhost}).
   */
  public URI uri() {
    return URI.create("https://" + urlHost(options.host()) + ":" + port() + "/");
  }

  /** Returns this node's name in its cluster, or {@code null} for a shop alone. */
  public String node() {
    return options.cluster() == null ? null : options.cluster().node();
  }

  /** What a node announces as its address to the others: its {@link #uri()} for a known port. */
  static String address(LauncherOptions options) {
    return "https://" + urlHost(options.host()) + ":" + options.port() + "/";
  }

  /** Returns the registry of the HTTPS connector's security associations, while the shop runs. */
  public AssociationRegistry registry() {
    return server.registry();
  }

  /** Returns the server's certificate; {@link SelfSignedCertificate#clientContext()} trusts it. */
  public SelfSignedCertificate certificate() {
    return certificate;
  }

  /** Returns whether this start created the key store file (otherwise it reused it). */
  public boolean keystoreCreated() {
    return keystoreCreated;
  }

  /**
   * Returns the lines the launcher prints once the shop is up: the address with the users, the
   * dashboard, the certificate, the SA policy and how to stop.
   */
  public String startupLines() {
    String admin = options.adminPassword().equals(LauncherOptions.DEFAULT_ADMIN_PASSWORD)
        ? "admin / " + LauncherOptions.DEFAULT_ADMIN_PASSWORD : "admin / the --admin-password";
    Path keystore = options.keystore().toAbsolutePath();
    String policy = options.policies() != null
        ? "policies from " + options.policies().toAbsolutePath()
        : "policy '" + StrongPolicy.NAME + "' for everybody (TLS 1.2 and 1.3, AEAD cipher suites"
            + " only), grace " + Durations.format(options.grace());
    if (options.policies() == null && options.cluster() != null) {
      policy += "; policy '" + StrongPolicy.CUSTOMERS + "' for customers, whose logins and logouts"
          + " flush their address on every node";
    }
    ClusterOptions c = options.cluster();
    String cluster = c == null ? ""
        : "  cluster:      node " + c.node() + " of the cluster in " + c.redactedUri()
            + " (flushes, peer bindings, HTTP sessions and the SA table shared there)\n";
    String proxy = options.proxyProtocol()
        ? "  PROXY:        a balancer's PROXY protocol header names the client (send-proxy-v2)\n"
        : "";
    return "Tether shop " + (c == null ? "" : "node " + c.node() + " ") + "on "
        + container().displayName() + ": " + uri() + "  (" + admin
        + "; customers alice / wonderland, bob / builder)\n"
        + "  SA dashboard: " + uri().resolve("/admin/associations") + "\n"
        + "  certificate:  " + keystore + (keystoreCreated
            ? " (new, self-signed for localhost: the browser warns once)" : " (reused)") + "\n"
        + "  SAs:          " + policy + "\n"
        + "  protocols:    " + (options.http2() ? "HTTP/2 and HTTP/1.1 (ALPN h2, http/1.1)"
            : "HTTP/1.1 only (--http2 off)") + "\n"
        + cluster + proxy
        + "  Ctrl-C stops the shop.";
  }

  /** Returns the line printed once the shop stopped. */
  String stoppedLine() {
    return "Tether shop " + (node() == null ? "" : "node " + node() + " ") + "on "
        + container().displayName() + " stopped";
  }

  /** Stops the shop (see the class comment); returns when it is stopped. */
  public void stop() {
    if (!stopping.compareAndSet(false, true)) {
      awaitQuietly();
      return;
    }
    try {
      server.stop();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "The shop on " + container().displayName() + " did not stop cleanly", e);
    } finally {
      try {
        if (cluster != null) {
          cluster.close();
        }
      } finally {
        files.delete();
        stopped.countDown();
      }
    }
  }

  /** Returns whether {@link #stop()} has completed. */
  public boolean isStopped() {
    return stopped.getCount() == 0;
  }

  /** Waits until the shop is stopped. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  private void awaitQuietly() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String urlHost(String host) {
    try {
      InetAddress address = InetAddress.getByName(host);
      if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
        return "localhost";
      }
      return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : host;
    } catch (UnknownHostException e) {
      return host;
    }
  }

  @Override
  public String toString() {
    return "RunningShop{" + container().displayName() + " " + uri() + "}";
  }
}
