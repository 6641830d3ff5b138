package dev.tether.benchmarks.connections;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.shop.launcher.Haproxy;
import dev.tether.shop.launcher.LauncherOptions;
import dev.tether.shop.launcher.RunningShop;
import dev.tether.shop.launcher.ShopLauncher;
import dev.tether.testing.RedisServer;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * The shop as a cluster under load, through HAProxy: three nodes started by the shop's launcher in
 * this JVM (each a real Jetty or Tomcat server with Tether on its connector and the cluster on one
 * {@code redis-server} started here), Debian's {@code haproxy} in front in TCP mode with
 * {@code balance roundrobin}, and {@code h2load} opening a new TLS connection for every request
 * ({@code Connection: close}) for a static file of the shop. Three rounds of the same requests:
 * straight to one node, through HAProxy, and through HAProxy while customers log in at
 * {@code --logins-per-second} from addresses of their own (a customer's policy flushes its peer on
 * every node, {@code on-login = peer}).
 *
 * <p>Reported: connections per second of each round (and h2load's errors), full handshakes against
 * resumptions on the nodes, and for the logins: the time of the login's post as the customer sees it
 * (it waits until every node applied the flush, up to 50 ms) and the propagation of every cluster
 * event the logins made (a binding and a flush each), from its publication on the node that took the
 * login to its application on each other node (one JVM: one clock), with the acknowledgements that
 * missed the bound.
 *
 * <p>Without the PROXY protocol the nodes take HAProxy's address for every client's, so each login
 * flushes every SA behind the balancer, h2load's included, and ends their connections;
 * {@code --containers=jetty,jetty,jetty --proxy-protocol} makes the peers exact. Either way h2load
 * is one address, so the nodes run with {@code --max-per-peer} (default here 100000): with the
 * launcher's default of 1,000 SAs per address the nodes refuse h2load's connections within seconds
 * (a new SA for every connection that lands on a node it did not come from, each kept for its
 * grace, 30 s).
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am -DskipTests package
 * java -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.connections.ShopClusterBenchmark \
 *     --requests=20000 --clients=16 --logins-per-second=20
 * </pre>
 *
 * <p>Options ({@code --name=value}): {@code containers} (jetty,tomcat,jetty), {@code proxy-protocol}
 * (false), {@code requests} (20000), {@code warmup} (5000), {@code clients} (16),
 * {@code logins-per-second} (20), {@code max-per-peer} (100000), {@code h2load} (/usr/bin/h2load),
 * {@code haproxy} (/usr/sbin/haproxy), {@code path} (/static/shop.css).
 */
public final class ShopClusterBenchmark {
  private final Map<String, String> o;
  private final List<Long> lags = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> logins = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong loginFailures = new AtomicLong();
  private volatile boolean measuring;

  private ShopClusterBenchmark(Map<String, String> options) {
    this.o = options;
  }

  public static void main(String[] args) throws Exception {
    // First: the JDK reads these once, when its TLS server classes initialize.
    System.setProperty(StatefulSessions.PROPERTY, "false");
    System.setProperty(ClientRenegotiation.PROPERTY, "true");
    Map<String, String> options = new LinkedHashMap<>();
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      options.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    new ShopClusterBenchmark(options).run();
    System.exit(0);
  }

  private String opt(String name, String fallback) {
    return o.getOrDefault(name, fallback);
  }

  private void run() throws Exception {
    List<String> containers = List.of(opt("containers", "jetty,tomcat,jetty").split(","));
    boolean proxy = Boolean.parseBoolean(opt("proxy-protocol", "false"));
    int requests = Integer.parseInt(opt("requests", "20000"));
    int warmup = Integer.parseInt(opt("warmup", "5000"));
    int clients = Integer.parseInt(opt("clients", "16"));
    double rate = Double.parseDouble(opt("logins-per-second", "20"));
    String path = opt("path", "/static/shop.css");
    Path dir = Files.createTempDirectory("tether-shop-cluster-bench");
    List<RunningShop> nodes = new ArrayList<>();
    RedisServer redis = RedisServer.start();
    try {
      Path secret = Files.writeString(dir.resolve("cluster.secret"),
          "the benchmark cluster's shared secret\n", StandardCharsets.UTF_8);
      Path keystore = dir.resolve("shop.p12");
      SelfSignedCertificate certificate = SelfSignedCertificate.loadOrCreate(keystore,
          ShopLauncher.KEYSTORE_PASSWORD.toCharArray());
      for (int i = 0; i < containers.size(); i++) {
        List<String> args = new ArrayList<>(List.of("--container", containers.get(i).trim(),
            "--port", "0", "--keystore", keystore.toString(), "--cluster", redis.uri(),
            "--node", "shop-" + (i + 1), "--cluster-secret-file", secret.toString()));
        if (proxy) {
          args.add("--proxy-protocol");
        }
        args.addAll(List.of("--max-per-peer", opt("max-per-peer", "100000")));
        RunningShop shop = ShopLauncher.start(LauncherOptions.parse(args.toArray(String[]::new)));
        nodes.add(shop);
        shop.registry().cluster().observeLag(d -> {
          if (measuring) {
            lags.add(d.toNanos());
          }
        });
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (nodes.stream().anyMatch(n -> n.registry().cluster().view().liveNodes()
          < nodes.size())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the nodes did not all see each other");
        }
        Thread.sleep(100);
      }
      try (Haproxy lb = Haproxy.start(Path.of(opt("haproxy", "/usr/sbin/haproxy")), dir,
          new Haproxy.Config("127.0.0.1", RedisServer.freePort(), nodes.stream()
              .map(n -> new Haproxy.Backend(n.node(), n.port())).toList(), proxy, null, false))) {
        H2load h2load = new H2load(opt("h2load", "/usr/bin/h2load"), "");
        Duration limit = Duration.ofMinutes(10);
        progress("warm-up: " + warmup + " requests through HAProxy");
        h2load.run(lb.port(), path, warmup, clients, limit);

        progress("round 1: " + requests + " requests to shop-1 directly");
        Round.ClientResult direct = h2load.run(nodes.get(0).port(), path, requests, clients,
            limit);
        progress("round 2: " + requests + " requests through HAProxy");
        long[] before = handshakes(nodes);
        Round.ClientResult balanced = h2load.run(lb.port(), path, requests, clients, limit);
        long[] after = handshakes(nodes);
        progress("round 3: " + requests + " requests through HAProxy, " + rate + " logins/s");
        long missesBefore = ackMisses(nodes);
        Map<String, Long> effectsBefore = effects(nodes);
        measuring = true;
        Thread storm = loginStorm(certificate.clientContext(), lb.port(), rate);
        Round.ClientResult withLogins = h2load.run(lb.port(), path, requests, clients, limit);
        storm.interrupt();
        storm.join();
        Thread.sleep(500); // the last logins' events land
        measuring = false;
        long misses = ackMisses(nodes) - missesBefore;
        Map<String, Long> effects = effects(nodes);
        effects.replaceAll((k, v) -> v - effectsBefore.get(k));
        report(containers, proxy, clients, path, direct, balanced, withLogins,
            after[0] - before[0], after[1] - before[1], misses);
        System.out.println("\nRound 3 on the nodes: " + effects);
      }
    } finally {
      nodes.forEach(RunningShop::stop); // before Redis: each node leaves the cluster
      redis.close();
    }
  }

  /** Logs customers in, each from a new loopback address, at {@code rate} per second. */
  private Thread loginStorm(SSLContext context, int port, double rate) {
    Thread t = new Thread(() -> {
      LoginClient client = new LoginClient(context, port);
      long gap = (long) (1e9 / rate);
      long next = System.nanoTime();
      for (int k = 0; !Thread.currentThread().isInterrupted(); k++) {
        String from = "127.0." + (10 + k / 250 % 200) + "." + (1 + k % 250);
        try {
          logins.add(client.login(from, k % 2 == 0 ? "alice" : "bob",
              k % 2 == 0 ? "wonderland" : "builder"));
        } catch (java.io.IOException e) {
          loginFailures.incrementAndGet();
        }
        next += gap;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          try {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }, "login-storm");
    t.start();
    return t;
  }

  private static long[] handshakes(List<RunningShop> nodes) {
    long negotiated = 0;
    long reused = 0;
    for (RunningShop n : nodes) {
      AssociationStats s = n.registry().stats();
      negotiated += s.negotiated();
      reused += s.reused();
    }
    return new long[] {negotiated, reused};
  }

  /** The nodes' counts of what a login's flush does to other clients' connections, added up. */
  private static Map<String, Long> effects(List<RunningShop> nodes) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String k : List.of("LOGIN deletions", "endedConnections", "staleResumptions",
        "refused", "handshakeFailures")) {
      m.put(k, 0L);
    }
    for (RunningShop n : nodes) {
      AssociationStats s = n.registry().stats();
      m.merge("LOGIN deletions", s.deletedByCause().getOrDefault(dev.tether.DeletionCause.LOGIN,
          0L), Long::sum);
      m.merge("endedConnections", s.endedConnections(), Long::sum);
      m.merge("staleResumptions", s.staleResumptions(), Long::sum);
      m.merge("refused", s.refused(), Long::sum);
      m.merge("handshakeFailures", s.handshakeFailures(), Long::sum);
    }
    return m;
  }

  private static long ackMisses(List<RunningShop> nodes) {
    return nodes.stream().map(RunningShop::registry).map(AssociationRegistry::cluster)
        .mapToLong(c -> c.view().ackMisses()).sum();
  }

  private void report(List<String> containers, boolean proxy, int clients, String path,
      Round.ClientResult direct, Round.ClientResult balanced, Round.ClientResult withLogins,
      long negotiated, long reused, long misses) {
    StringBuilder md = new StringBuilder()
        .append("Nodes: ").append(String.join(", ", containers)).append(proxy
            ? " (PROXY protocol v2)" : " (no PROXY protocol: HAProxy is every client's peer)")
        .append("; h2load ").append(clients).append(" clients, HTTP/1.1, Connection: close, GET ")
        .append(path).append("\n\n")
        .append("| round | connections/s | errored |\n|---|---|---|\n");
    row(md, "shop-1 directly", direct);
    row(md, "through HAProxy", balanced);
    row(md, "through HAProxy, with logins", withLogins);
    long[] l = sorted(logins);
    long[] g = sorted(lags);
    md.append("\nThrough HAProxy: ").append(negotiated).append(" full handshakes, ").append(reused)
        .append(" resumptions on the nodes (").append(String.format(Locale.ROOT, "%.0f",
            100.0 * reused / Math.max(1, negotiated + reused)))
        .append(" %)\n\n| logins | login post p50 / p99 / max (ms) | event propagation p50 / p99 /"
            + " p99.9 / max (ms), events | acknowledgements past 50 ms | failed logins |\n"
            + "|---|---|---|---|---|\n")
        .append("| ").append(l.length).append(" | ").append(ms(pct(l, 50))).append(" / ")
        .append(ms(pct(l, 99))).append(" / ").append(ms(pct(l, 100))).append(" | ")
        .append(ms(pct(g, 50))).append(" / ").append(ms(pct(g, 99))).append(" / ")
        .append(ms(pct(g, 99.9))).append(" / ").append(ms(pct(g, 100))).append(", ")
        .append(g.length).append(" | ").append(misses).append(" | ").append(loginFailures.get())
        .append(" |\n");
    System.out.print(md);
    System.out.flush();
  }

  private static void row(StringBuilder md, String name, Round.ClientResult r) {
    md.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%,.0f",
        r.connections() * 1e9 / r.nanos())).append(" | ").append(r.failures()).append(" |\n");
  }

  private static long[] sorted(List<Long> values) {
    long[] a;
    synchronized (values) {
      a = values.stream().mapToLong(Long::longValue).toArray();
    }
    Arrays.sort(a);
    return a;
  }

  private static long pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private static void progress(String line) {
    System.err.println("[shop-cluster] " + line);
  }
}
