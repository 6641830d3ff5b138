package dev.tether.shop.launcher;

import static java.util.Objects.requireNonNull;

import dev.tether.RegistryBuilder;
import dev.tether.cluster.redis.RedisClusterBuilder;
import dev.tether.SaPolicy;
import dev.tether.internal.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's settings, read from its command line by {@link #parse(String...)}.
 *
 * <p>Immutable. Each option may be written {@code --port 8443} or {@code --port=8443}; a bad value is a
 * {@link LaunchException#usage usage error} naming the option and the value.
 *
 * <pre>{@code
 * LauncherOptions options = LauncherOptions.parse("--container", "tomcat", "--port", "0");
 * RunningShop shop = ShopLauncher.start(options);
 * }</pre>
 *
 * @param container the servlet container ({@code --container}, default Jetty)
 * @param host the address to listen on ({@code --host}, default {@value #DEFAULT_HOST}: this machine
 *     only)
 * @param port the HTTPS port ({@code --port}, default {@value #DEFAULT_PORT}; 0 picks a free one)
 * @param keystore the PKCS#12 file holding the server's certificate ({@code --keystore}, default
 *     {@value #DEFAULT_KEYSTORE} in the working directory), created at the first start
 * @param grace how long an SA stays resumable after its last connection closed ({@code --grace},
 *     default 30 s); not used when {@code policies} is set, since each policy has its own grace
 * @param policies the policy file ({@code --policies}), or {@code null} for the shop's
 *     {@link StrongPolicy}
 * @param adminPassword the password of the user {@code admin} ({@code --admin-password}, default
 *     {@value #DEFAULT_ADMIN_PASSWORD})
 * @param http2 whether the connector offers {@code h2} by ALPN next to {@code http/1.1}
 *     ({@code --http2 on|off}, default on)
 * @param cluster the cluster the shop is a node of ({@code --cluster}, {@code --node},
 *     {@code --cluster-secret-file}), or {@code null} for a shop alone
 * @param proxyProtocol whether the connector reads the PROXY protocol header a TCP balancer sends
 *     before the TLS bytes ({@code --proxy-protocol}; Jetty only), so that Tether sees the client's
 *     address instead of the balancer's
 * @param maxPerPeer the most SAs one client address may hold ({@code --max-per-peer}, default
 *     {@value RegistryBuilder#DEFAULT_MAX_ASSOCIATIONS_PER_PEER}); behind a TCP balancer without the
 *     PROXY protocol every client has the balancer's address, so raise it there
 */
public record LauncherOptions(
    Container container,
    String host,
    int port,
    Path keystore,
    Duration grace,
    Path policies,
    String adminPassword,
    boolean http2,
    ClusterOptions cluster,
    boolean proxyProtocol,
    int maxPerPeer) {

  /** The default HTTPS port. */
  public static final int DEFAULT_PORT = 8443;
  /** The default listening address: the loopback interface, since the demo passwords are public. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The default key store file, relative to the working directory. */
  public static final String DEFAULT_KEYSTORE = "tether-shop.p12";
  /** The default password of the user {@code admin}. */
  public static final String DEFAULT_ADMIN_PASSWORD = "tether-admin";

  private static final List<String> OPTIONS = List.of("--container", "--host", "--port",
      "--keystore", "--grace", "--policies", "--admin-password", "--cluster", "--node",
      "--cluster-secret-file", "--max-per-peer", "--cluster-ack-timeout", "--http2");
  /** Options without a value. */
  private static final List<String> FLAGS = List.of("--proxy-protocol");
  private static final List<String> CLUSTER = List.of("--cluster", "--node",
      "--cluster-secret-file");

  /** Checks the values; {@code policies} and {@code cluster} may be {@code null}. */
  public LauncherOptions {
    requireNonNull(container, "container");
    requireNonNull(host, "host");
    requireNonNull(keystore, "keystore");
    requireNonNull(grace, "grace");
    requireNonNull(adminPassword, "adminPassword");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port " + port + " is not in 0-65535");
    }
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace " + grace + " is negative");
    }
    if (adminPassword.isEmpty()) {
      throw new IllegalArgumentException("the admin password is empty");
    }
    if (maxPerPeer < 1) {
      throw new IllegalArgumentException("maxPerPeer " + maxPerPeer + " is less than 1");
    }
  }

  /** The options of a node with Tether's default bound of SAs per client address. */
  public LauncherOptions(Container container, String host, int port, Path keystore, Duration grace,
      Path policies, String adminPassword, ClusterOptions cluster, boolean proxyProtocol) {
    this(container, host, port, keystore, grace, policies, adminPassword, true, cluster,
        proxyProtocol, RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS_PER_PEER);
  }

  /** The options of a shop alone, without the PROXY protocol, offering h2 or not. */
  public LauncherOptions(Container container, String host, int port, Path keystore, Duration grace,
      Path policies, String adminPassword, boolean http2) {
    this(container, host, port, keystore, grace, policies, adminPassword, http2, null, false,
        RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS_PER_PEER);
  }

  /** The options of a shop alone, without the PROXY protocol. */
  public LauncherOptions(Container container, String host, int port, Path keystore, Duration grace,
      Path policies, String adminPassword) {
    this(container, host, port, keystore, grace, policies, adminPassword, null, false);
  }

  /** Returns the options of a run without arguments: Jetty on 127.0.0.1:8443, grace 30 s. */
  public static LauncherOptions defaults() {
    return new LauncherOptions(Container.JETTY, DEFAULT_HOST, DEFAULT_PORT,
        Path.of(DEFAULT_KEYSTORE), SaPolicy.DEFAULT_GRACE, null, DEFAULT_ADMIN_PASSWORD, true);
  }

  /** Returns these options with another port. */
  public LauncherOptions withPort(int newPort) {
    return new LauncherOptions(container, host, newPort, keystore, grace, policies, adminPassword,
        http2, cluster, proxyProtocol, maxPerPeer);
  }

  /**
   * Reads the command line. {@code --help} is not an option here: {@link ShopLauncher} looks for it
   * first.
   *
   * @throws LaunchException a usage error naming the option: unknown option, missing or bad value,
   *     an option given twice, {@code --grace} together with {@code --policies}, or a cluster
   *     option without the other two
   */
  public static LauncherOptions parse(String... args) throws LaunchException {
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (FLAGS.contains(name)) {
        if (value != null) {
          throw LaunchException.usage(name + " takes no value");
        }
        if (given.put(name, "true") != null) {
          throw LaunchException.usage(name + " is given twice");
        }
        continue;
      }
      if (!OPTIONS.contains(name)) {
        throw LaunchException.usage(arg.startsWith("-") ? "unknown option " + name
            : "unexpected argument '" + arg + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw LaunchException.usage(name + " needs a value");
        }
        value = args[++i];
      }
      if (given.put(name, value) != null) {
        throw LaunchException.usage(name + " is given twice");
      }
    }
    if (given.containsKey("--grace") && given.containsKey("--policies")) {
      throw LaunchException.usage("--grace cannot be combined with --policies: each policy in the"
          + " file sets its own grace");
    }
    ClusterOptions cluster = cluster(given);
    LauncherOptions d = defaults();
    try {
      return new LauncherOptions(
          given.containsKey("--container") ? container(given.get("--container")) : d.container(),
          given.containsKey("--host") ? nonBlank("--host", given.get("--host")) : d.host(),
          given.containsKey("--port") ? port(given.get("--port")) : d.port(),
          given.containsKey("--keystore")
              ? Path.of(nonBlank("--keystore", given.get("--keystore"))) : d.keystore(),
          given.containsKey("--grace") ? grace(given.get("--grace")) : d.grace(),
          given.containsKey("--policies")
              ? Path.of(nonBlank("--policies", given.get("--policies"))) : null,
          given.containsKey("--admin-password")
              ? nonBlank("--admin-password", given.get("--admin-password")) : d.adminPassword(),
          given.containsKey("--http2") ? onOff("--http2", given.get("--http2")) : d.http2(),
          cluster,
          given.containsKey("--proxy-protocol"),
          given.containsKey("--max-per-peer") ? maxPerPeer(given.get("--max-per-peer"))
              : d.maxPerPeer());
    } catch (java.nio.file.InvalidPathException e) {
      throw LaunchException.usage("invalid file name: " + e.getMessage());
    }
  }

  /** Returns the text {@code --help} prints: every option with its default, the users, the exit codes. */
  public static String usage() {
    return """
        Usage: java -jar tether-shop.jar [options]

        Runs the Tether sample shop over HTTPS with Tether on an embedded servlet container.

        Options:
          --container jetty|tomcat  servlet container (default: jetty)
          --port N                  HTTPS port, 0 for any free port (default: 8443)
          --host ADDRESS            address to listen on (default: 127.0.0.1, this machine only;
                                    0.0.0.0 for every interface)
          --keystore FILE           PKCS#12 file with the server certificate; created with a new
                                    self-signed certificate for localhost if missing, reused if
                                    present (default: tether-shop.p12; password: tether-shop)
          --grace DURATION          how long an SA stays resumable after its last connection
                                    closed: 0, 500ms, 30s, 15m, 2h, 1d or PT30S (default: 30s)
          --policies FILE           Tether policy file; each policy sets its own grace, so not
                                    together with --grace (default: one policy for everybody,
                                    TLS 1.2 and 1.3 with AEAD cipher suites only)
          --admin-password TEXT     password of the user admin (default: tether-admin)
          --http2 on|off            offer HTTP/2 (h2) next to HTTP/1.1 by ALPN; off serves
                                    HTTP/1.1 only (default: on)
          --max-per-peer N          the most SAs one client address may hold (default: 1000);
                                    behind a TCP balancer without the PROXY protocol every
                                    client has the balancer's address: raise it there
          --help                    print this text

        Several nodes (README, "Running several nodes"):
          --cluster URI             join the nodes that share this Redis: redis://HOST:PORT or
                                    rediss://HOST:PORT; logins' flushes, peer bindings, HTTP
                                    sessions and the dashboard's SA table then span every node
          --node NAME               this node's name, unique among the nodes (with --cluster)
          --cluster-secret-file FILE
                                    the nodes' shared secret, at least 16 bytes, e.g. made by
                                    openssl rand -base64 32 > cluster.secret (with --cluster)
          --cluster-ack-timeout DURATION
                                    how long a login's flush waits at most for every live node
                                    to apply it, 0 to 10s (default: 50ms; with --cluster)
          --proxy-protocol          read the PROXY protocol header a TCP balancer sends (HAProxy's
                                    send-proxy-v2), so that Tether sees the client's address
                                    (Jetty only; without it the balancer is every client's peer)
          --demo-cluster            start a local demo cluster instead: Redis, three nodes (Jetty,
                                    Tomcat, Jetty) and HAProxy in front on --port; needs Debian's
                                    redis-server and haproxy; Ctrl-C stops it all

        Users: alice / wonderland and bob / builder (customers), admin / tether-admin (dashboard).
        Exit codes: 0 stopped normally, 1 could not start, 2 bad option.
        """;
  }

  /** The three cluster options, given together or not at all. */
  private static ClusterOptions cluster(Map<String, String> given) throws LaunchException {
    List<String> present = CLUSTER.stream().filter(given::containsKey).toList();
    if (present.isEmpty()) {
      if (given.containsKey("--cluster-ack-timeout")) {
        throw LaunchException.usage("--cluster-ack-timeout needs --cluster, --node and"
            + " --cluster-secret-file: only a node of a cluster waits for the others");
      }
      return null;
    }
    if (present.size() < CLUSTER.size()) {
      List<String> missing = CLUSTER.stream().filter(o -> !given.containsKey(o)).toList();
      throw LaunchException.usage(present.get(0) + " needs " + String.join(" and ", missing)
          + ": a node names its cluster (--cluster redis://HOST:PORT), itself (--node NAME) and"
          + " the nodes' secret (--cluster-secret-file FILE)");
    }
    try {
      return new ClusterOptions(nonBlank("--cluster", given.get("--cluster")).trim(),
          nonBlank("--node", given.get("--node")).trim(),
          Path.of(nonBlank("--cluster-secret-file", given.get("--cluster-secret-file"))),
          given.containsKey("--cluster-ack-timeout")
              ? duration("--cluster-ack-timeout", given.get("--cluster-ack-timeout"))
              : RedisClusterBuilder.DEFAULT_ACK_TIMEOUT);
    } catch (java.nio.file.InvalidPathException e) {
      throw LaunchException.usage("--cluster-secret-file: invalid file name: " + e.getMessage());
    }
  }

  private static Container container(String value) throws LaunchException {
    try {
      return Container.parse(value);
    } catch (IllegalArgumentException e) {
      throw LaunchException.usage("--container " + value + ": " + e.getMessage());
    }
  }

  private static int port(String value) throws LaunchException {
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65_535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw LaunchException.usage("--port '" + value + "' is not a port number: use 0-65535"
        + " (0 picks a free port)");
  }

  private static int maxPerPeer(String value) throws LaunchException {
    try {
      int max = Integer.parseInt(value.trim());
      if (max >= 1) {
        return max;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw LaunchException.usage("--max-per-peer '" + value + "' is not a number of SAs: use 1 or"
        + " more (default " + RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS_PER_PEER + ")");
  }

  private static Duration grace(String value) throws LaunchException {
    return duration("--grace", value);
  }

  private static Duration duration(String option, String value) throws LaunchException {
    try {
      return Durations.parse(option, value);
    } catch (IllegalArgumentException e) {
      throw LaunchException.usage(e.getMessage());
    }
  }

  private static boolean onOff(String option, String value) throws LaunchException {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw LaunchException.usage(option + " '" + value + "': use on or off");
    };
  }

  private static String nonBlank(String option, String value) throws LaunchException {
    if (value.isBlank()) {
      throw LaunchException.usage(option + " needs a value");
    }
    return value;
  }
}
