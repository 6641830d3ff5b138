package dev.tether.shop.launcher;

import static dev.tether.shop.launcher.JarCluster.servedBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.testing.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo cluster as a user starts it: {@code java -jar tether-shop.jar --demo-cluster} in an empty
 * directory. It prints the address to open; through it, HAProxy spreads one client's connections
 * over the three nodes, whose pages, login and dashboard work as one shop; Ctrl-C (SIGINT) stops
 * HAProxy, the nodes and Redis and removes their files. Without {@code redis-server} or
 * {@code haproxy} it says in one line which Debian packages to install.
 */
class DemoClusterIT {
  private static final Pattern ADDRESS =
      Pattern.compile("^Tether demo cluster: https://localhost:(\\d+)/ ");
  private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");
  private static final Pattern LOGS = Pattern.compile("^  logs: +(\\S+)$");

  @TempDir
  Path dir;

  private ShopProcess demo;

  @AfterEach
  void killLeftovers() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void demo_servesOneShopFromThreeNodesThroughHaproxy_andCtrlCStopsEverythingItStarted()
      throws Exception {
    demo = ShopProcess.start(dir, "--demo-cluster", "--port", "0");
    List<String> lines = demo.awaitLine("  Ctrl-C stops everything."::equals,
        Duration.ofSeconds(180));
    int port = port(lines);
    List<Long> pids = pids(lines);
    Path logs = Path.of(lines.stream().map(LOGS::matcher).filter(Matcher::matches)
        .map(m -> m.group(1)).findFirst().orElseThrow());
    String text = String.join("\n", lines);
    var tls = SelfSignedCertificate.loadOrCreate(dir.resolve("tether-shop.p12"),
        ShopLauncher.KEYSTORE_PASSWORD.toCharArray());

    Https1 visitor = new Https1(tls.clientContext(), "127.0.0.1");
    Set<String> served = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      served.add(servedBy(visitor.get(port, "/").body()));
    }
    visitor.get(port, "/account");
    Https1.Response login = visitor.post(port, "/j_security_check", List.of(),
        "j_username", "alice", "j_password", "wonderland");
    Set<String> loggedIn = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      Https1.Response account = visitor.get(port, "/account");
      assertThat(account.body()).contains("class=\"user\">alice<");
      loggedIn.add(servedBy(account.body()));
    }
    Https1 admin = new Https1(tls.clientContext(), "127.0.0.9").basic("admin", "tether-admin");
    Map<?, ?> table = (Map<?, ?>) JsonParser.parse(admin.get(port, "/tether/cluster").body());
    // SIGINT, as Ctrl-C sends.
    boolean stopped = demo.signal("INT", Duration.ofSeconds(60));

    assertThat(text).contains("balancer:     HAProxy 2.", "TCP mode, TLS passed through to the"
        + " nodes, balance roundrobin", "node shop-1:  Jetty on https://localhost:",
        "node shop-2:  Tomcat on https://localhost:", "node shop-3:  Jetty on https://localhost:",
        "Redis:        redis://127.0.0.1:", "Ctrl-C stops everything.");
    assertThat(pids).hasSize(5);
    assertThat(served).containsExactlyInAnyOrder("shop-1", "shop-2", "shop-3");
    assertThat(login.status()).isIn(302, 303);
    assertThat(loggedIn).containsExactlyInAnyOrder("shop-1", "shop-2", "shop-3");
    assertThat(((List<?>) table.get("nodes"))).hasSize(3);

    assertThat(stopped).as(() -> "the demo ended within 60 s of SIGINT; "
        + demo.diagnosis(pids)).isTrue();
    assertThat(demo.process().exitValue()).isIn(0, 130);
    assertThat(demo.stdout()).anyMatch(l -> l.startsWith("Tether demo cluster stopped"));
    assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)
        .map(ProcessHandle::isAlive).orElse(false)).as("pid %d alive", pid).isFalse());
    assertThat(logs).doesNotExist();
    try (var left = Files.list(dir.resolve("tmp"))) {
      assertThat(left).as("temporary files left").isEmpty();
    }
  }

  @Test
  void withoutRedisOrHaproxy_oneLineNamesTheDebianPackages() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path onlyRedis = Files.createDirectories(dir.resolve("only-redis"));
    Path redis = Files.writeString(onlyRedis.resolve("redis-server"), "#!/bin/sh\nexec "
        + Executables.find("redis-server").orElseThrow() + " \"$@\"\n");
    redis.toFile().setExecutable(true);

    Run none = run(empty);
    Run noHaproxy = run(onlyRedis);

    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err().lines()).containsExactly("tether-shop: --demo-cluster: redis-server and"
        + " haproxy are not installed; on Debian: sudo apt-get install -y redis-server haproxy");
    assertThat(noHaproxy.code()).isEqualTo(1);
    assertThat(noHaproxy.err().lines()).containsExactly("tether-shop: --demo-cluster: haproxy is"
        + " not installed; on Debian: sudo apt-get install -y haproxy");
    assertThat(none.out()).isEmpty();
  }

  private record Run(int code, String out, String err) {}

  /** Runs the demo with {@code path} as the only place to find programs; returns at its end. */
  private Run run(Path path) throws Exception {
    Process p = new ProcessBuilder(ShopProcess.java(List.of(
        "-D" + Executables.PATH_PROPERTY + "=" + path, "-jar", ShopProcess.jar(),
        "--demo-cluster", "--port", "0"))).directory(dir.toFile()).start();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
  }

  private static int port(List<String> lines) {
    Matcher m = ADDRESS.matcher(lines.get(0));
    assertThat(m.find()).as(lines.get(0)).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static List<Long> pids(List<String> lines) {
    List<Long> pids = new ArrayList<>();
    for (String line : lines) {
      Matcher m = PID.matcher(line);
      if (m.find()) {
        pids.add(Long.parseLong(m.group(1)));
      }
    }
    return pids;
  }
}
