package dev.tether.shop.launcher;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.internal.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The shop as a cluster on this machine, with one command ({@code java -jar tether-shop.jar
 * --demo-cluster}): Debian's {@code redis-server} on a free port, three shop nodes in JVMs of their
 * own (Jetty, Tomcat and Jetty, or three of {@code --container}), each a node of the cluster on that
 * Redis, and Debian's {@code haproxy} in front of them on {@code --port} (default 8443) in TCP mode
 * with {@code balance roundrobin}: TLS passes through to the nodes, and one browser's connections
 * reach all three. With {@code --proxy-protocol} (Jetty nodes only) HAProxy names each client to the
 * nodes. It prints the address to open; Ctrl-C (or SIGTERM) stops HAProxy, the nodes and Redis by
 * their pids and removes the demo's files. A node that ends while the demo runs (a
 * {@code kill -9}) is started again five seconds later, on the same port.
 *
 * <p>The other options are the launcher's and apply to every node ({@code --keystore},
 * {@code --grace}, {@code --policies}, {@code --admin-password}, {@code --max-per-peer});
 * {@code --host} is where HAProxy
 * listens, the nodes listen on 127.0.0.1. Without {@code redis-server} or {@code haproxy} it stops
 * at once with one line naming the Debian packages to install.
 *
 * <p>Thread-safe: {@link #close()} may be called from a shutdown hook.
 */
final class DemoCluster implements AutoCloseable {
  /** The launcher option that runs the demo. */
  static final String OPTION = "--demo-cluster";
  private static final List<Container> MIXED = List.of(Container.JETTY, Container.TOMCAT,
      Container.JETTY);
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration RESTART_DELAY = Duration.ofSeconds(5);

  private final LauncherOptions options;
  private final Path dir;
  private final boolean keystoreCreated;
  private final List<Node> nodes = new ArrayList<>();
  private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tether-demo-restarts");
    t.setDaemon(true);
    return t;
  });
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile PrintStream out;
  private volatile boolean stopping;
  private ChildProcess redis;
  private int redisPort;
  private Haproxy haproxy;

  /** One node: its fixed name, container, port and options; its process changes on a restart. */
  private static final class Node {
    final String name;
    final Container container;
    final int port;
    final List<String> options;
    volatile ChildProcess process;

    Node(String name, Container container, int port, List<String> options) {
      this.name = name;
      this.container = container;
      this.port = port;
      this.options = options;
    }
  }

  private DemoCluster(LauncherOptions options, Path dir, boolean keystoreCreated) {
    this.options = options;
    this.dir = dir;
    this.keystoreCreated = keystoreCreated;
  }

  /**
   * The command line with {@value #OPTION}: starts the demo, prints its lines, and serves until the
   * process is stopped.
   *
   * @return the exit code: 0 after a normal stop or {@code --help}, 1 if it could not start, 2 for
   *     a bad option; the error is one line on {@code err}
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(List.of(args));
    rest.removeIf(OPTION::equals);
    if (rest.contains("--help") || rest.contains("-h")) {
      out.print(LauncherOptions.usage());
      out.flush();
      return 0;
    }
    DemoCluster demo;
    try {
      boolean oneContainer = rest.stream().anyMatch(a -> a.equals("--container")
          || a.startsWith("--container="));
      demo = start(LauncherOptions.parse(rest.toArray(String[]::new)), oneContainer, out);
    } catch (LaunchException e) {
      err.println("tether-shop: " + e.getMessage()
          + (e.isUsageError() ? "  (java -jar tether-shop.jar --help lists the options)" : ""));
      err.flush();
      return e.exitCode();
    }
    out.println(demo.startupLines());
    out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      out.println("Tether demo cluster stopped: HAProxy, the nodes and Redis ended, "
          + demo.dir + " removed");
      out.flush();
    }, "tether-demo-shutdown"));
    try {
      demo.stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      demo.close();
    }
    return 0;
  }

  /**
   * Starts Redis, the nodes and HAProxy; returns once HAProxy listens.
   *
   * @param oneContainer whether every node runs {@code options.container()} (else Jetty, Tomcat,
   *     Jetty)
   * @param out where a node's end and restart are told
   * @throws LaunchException a usage error naming the option, or a start failure (a program missing,
   *     the port taken, a node that did not start: the message names its log)
   */
  static DemoCluster start(LauncherOptions options, boolean oneContainer, PrintStream out)
      throws LaunchException {
    if (options.cluster() != null) {
      throw LaunchException.usage(OPTION + " starts its own Redis and names its nodes: leave out"
          + " --cluster, --node and --cluster-secret-file");
    }
    List<Container> containers = oneContainer
        ? List.of(options.container(), options.container(), options.container()) : MIXED;
    if (options.proxyProtocol() && containers.contains(Container.TOMCAT)) {
      throw LaunchException.usage("--proxy-protocol: Tomcat 11 cannot read the PROXY protocol;"
          + " with " + OPTION + " add --container jetty (three Jetty nodes)");
    }
    InetAddress front = address(options.host());
    if (options.port() == 0) {
      try (ServerSocket s = new ServerSocket(0, 1, front)) {
        options = options.withPort(s.getLocalPort());
      } catch (IOException e) {
        throw LaunchException.startFailure("--host " + options.host() + ": cannot listen there ("
            + e.getMessage() + ")", e);
      }
    }
    if (!isFree(front, options.port())) {
      throw LaunchException.startFailure("--port " + options.port() + ": " + options.host() + ":"
          + options.port() + " is already in use (another server? choose one with --port)", null);
    }
    if (options.policies() != null && !Files.isReadable(options.policies())) {
      throw LaunchException.usage("--policies " + options.policies() + ": no such file");
    }
    var programs = Executables.require();
    Path dir;
    try {
      dir = Files.createTempDirectory("tether-demo-cluster");
    } catch (IOException e) {
      throw LaunchException.startFailure(OPTION + ": cannot make a directory: " + e, e);
    }
    boolean created = !Files.exists(options.keystore());
    DemoCluster demo = new DemoCluster(options, dir, created);
    demo.out = out;
    try {
      SelfSignedCertificate.loadOrCreate(options.keystore(),
          ShopLauncher.KEYSTORE_PASSWORD.toCharArray());
      demo.startRedis(programs.get("redis-server"));
      demo.startNodes(containers, demo.writeSecret());
      demo.haproxy = Haproxy.start(programs.get("haproxy"), dir, new Haproxy.Config(
          options.host(), options.port(), demo.nodes.stream()
              .map(n -> new Haproxy.Backend(n.name, n.port)).toList(),
          options.proxyProtocol(), null, true));
      demo.nodes.forEach(demo::watch);
      return demo;
    } catch (IOException | RuntimeException e) {
      demo.close(false);
      throw LaunchException.startFailure(OPTION + ": " + e.getMessage().lines().findFirst()
          .orElse("") + " (logs in " + dir + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      demo.close();
      throw LaunchException.startFailure(OPTION + ": interrupted", e);
    }
  }

  private void startRedis(Path executable) throws IOException, InterruptedException {
    redisPort = freePort();
    redis = ChildProcess.start("redis-server", List.of(executable.toString(),
        "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString()), dir.resolve("redis.log"),
        line -> line.contains("Ready to accept connections"));
    redis.awaitReady(Duration.ofSeconds(20));
  }

  private Path writeSecret() throws IOException {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Path file = dir.resolve("cluster.secret");
    Files.createFile(file, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n",
        StandardCharsets.US_ASCII);
    return file;
  }

  private void startNodes(List<Container> containers, Path secret)
      throws IOException, InterruptedException {
    for (int i = 0; i < containers.size(); i++) {
      String name = "shop-" + (i + 1);
      int port = freePort();
      List<String> o = new ArrayList<>(List.of("--container", containers.get(i).optionValue(),
          "--port", Integer.toString(port),
          "--keystore", options.keystore().toAbsolutePath().toString(),
          "--cluster", redisUri(), "--node", name,
          "--cluster-secret-file", secret.toString()));
      if (options.policies() != null) {
        o.addAll(List.of("--policies", options.policies().toAbsolutePath().toString()));
      } else {
        o.addAll(List.of("--grace", Durations.format(options.grace())));
      }
      if (!options.adminPassword().equals(LauncherOptions.DEFAULT_ADMIN_PASSWORD)) {
        o.addAll(List.of("--admin-password", options.adminPassword()));
      }
      if (options.maxPerPeer() != LauncherOptions.defaults().maxPerPeer()) {
        o.addAll(List.of("--max-per-peer", Integer.toString(options.maxPerPeer())));
      }
      if (options.proxyProtocol()) {
        o.add("--proxy-protocol");
      }
      Node node = new Node(name, containers.get(i), port, List.copyOf(o));
      node.process = NodeCommand.start(name, node.options, dir.resolve(name + ".log"));
      nodes.add(node);
    }
    for (Node n : nodes) {
      n.process.awaitReady(START);
    }
  }

  /** Starts a node that ended again, five seconds later, unless the demo is stopping. */
  private void watch(Node node) {
    ChildProcess p = node.process;
    p.onExit().thenRun(() -> {
      if (stopping) {
        return;
      }
      tell("node " + node.name + " (pid " + p.pid() + ") ended with exit code " + p.exitValue()
          + "; HAProxy sends its connections to the other nodes; it starts again in "
          + RESTART_DELAY.toSeconds() + " s");
      restarts.schedule(() -> restart(node), RESTART_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    });
  }

  private void restart(Node node) {
    if (stopping) {
      return;
    }
    try {
      node.process = NodeCommand.start(node.name, node.options, dir.resolve(node.name + ".log"));
      node.process.awaitReady(START);
      tell("node " + node.name + " runs again (pid " + node.process.pid() + ")");
      watch(node);
    } catch (IOException e) {
      tell("node " + node.name + " did not start again: " + e.getMessage().lines().findFirst()
          .orElse("") + " (its log: " + dir.resolve(node.name + ".log") + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void tell(String line) {
    PrintStream o = out;
    if (o != null && !stopping) {
      o.println("tether-shop: " + line);
      o.flush();
    }
  }

  /** Returns the lines printed once the demo runs. */
  String startupLines() {
    String host = RunningShop.urlHost(options.host());
    String base = "https://" + host + ":" + haproxy.port() + "/";
    String admin = options.adminPassword().equals(LauncherOptions.DEFAULT_ADMIN_PASSWORD)
        ? "admin / " + LauncherOptions.DEFAULT_ADMIN_PASSWORD : "admin / the --admin-password";
    StringBuilder sb = new StringBuilder()
        .append("Tether demo cluster: ").append(base).append("  (").append(admin)
        .append("; customers alice / wonderland, bob / builder)\n")
        .append("  SA dashboard: ").append(base).append("admin/associations\n")
        .append("  balancer:     ").append(haproxy.version()).append(" (pid ").append(haproxy.pid())
        .append(") on ").append(options.host()).append(':').append(haproxy.port())
        .append(": TCP mode, TLS passed through to the nodes, balance roundrobin\n");
    for (Node n : nodes) {
      sb.append("  node ").append(n.name).append(":  ").append(n.container.displayName())
          .append(" on https://localhost:").append(n.port).append("/ (pid ")
          .append(n.process.pid()).append(")\n");
    }
    sb.append("  Redis:        ").append(redisUri()).append(" (pid ").append(redis.pid())
        .append("): the cluster's flushes and bindings, HTTP sessions, SA tables\n")
        .append("  certificate:  ").append(options.keystore().toAbsolutePath()).append(keystoreCreated
            ? " (new, self-signed for localhost: the browser warns once)" : " (reused)")
        .append('\n')
        .append("  SAs:          ").append(options.policies() != null
            ? "policies from " + options.policies().toAbsolutePath()
            : "policy 'strong' for everybody, grace " + Durations.format(options.grace())
                + "; policy 'customers' for customers, whose logins flush their address on every"
                + " node")
        .append('\n')
        .append("  peers:        ").append(options.proxyProtocol()
            ? "HAProxy names each client to the nodes (PROXY protocol v2)"
            : "the nodes see HAProxy's address as every client's (README, \"Running several"
                + " nodes\")")
        .append('\n')
        .append("  logs:         ").append(dir).append('\n')
        .append("  Ctrl-C stops everything.");
    return sb.toString();
  }

  /** Returns the demo's directory: configuration, secret and logs. */
  Path dir() {
    return dir;
  }

  /** Returns the address HAProxy listens on. */
  int port() {
    return haproxy.port();
  }

  /** Returns the pids of everything the demo started: HAProxy, the nodes, Redis. */
  List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    if (haproxy != null) {
      pids.add(haproxy.pid());
    }
    nodes.forEach(n -> pids.add(n.process.pid()));
    if (redis != null) {
      pids.add(redis.pid());
    }
    return pids;
  }

  private String redisUri() {
    return "redis://127.0.0.1:" + redisPort;
  }

  /** Stops HAProxy, then the nodes, then Redis, by their pids; removes the demo's directory. */
  @Override
  public void close() {
    close(true);
  }

  private synchronized void close(boolean removeFiles) {
    if (stopped.getCount() == 0) {
      return;
    }
    stopping = true;
    restarts.shutdownNow();
    try {
      if (haproxy != null) {
        haproxy.close();
      }
      // SIGTERM to every node at once, then wait for each.
      nodes.forEach(n -> ProcessHandle.of(n.process.pid()).ifPresent(ProcessHandle::destroy));
      for (Node n : nodes) {
        n.process.stop(Duration.ofSeconds(20));
      }
      if (redis != null) {
        redis.stop(Duration.ofSeconds(10));
      }
    } finally {
      if (removeFiles) {
        delete(dir);
      }
      stopped.countDown();
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // left for the temporary-file cleanup
    }
  }

  private static InetAddress address(String host) throws LaunchException {
    try {
      return InetAddress.getByName(host);
    } catch (IOException e) {
      throw LaunchException.usage("--host " + host + ": unknown host");
    }
  }

  private static boolean isFree(InetAddress host, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
