package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line through {@link ShopLauncher#run}, as {@code main} runs it: a bad option or a
 * failed start prints one line naming the option and gives exit code 2 (usage) or 1 (start).
 */
class CommandLineTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<RunningShop> started = new ArrayList<>();

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--keystore", dir.resolve("shop.p12").toString()));
    return ShopLauncher.run(all.toArray(String[]::new), print(out), print(err), started::add);
  }

  private String errorLine() {
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(text.lines()).as("one line on standard error").hasSize(1);
    assertThat(started).as("nothing started").isEmpty();
    return text.strip();
  }

  @Test
  void unknownContainer_isAUsageError_namingTheOptionAndTheValue() {
    int code = run("--container", "glassfish");

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).startsWith("tether-shop: --container glassfish: unknown container")
        .contains("jetty or tomcat");
  }

  @Test
  void portOutOfRange_isAUsageError() {
    int code = run("--port", "70000");

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--port '70000' is not a port number");
  }

  @Test
  void portInUse_isAStartFailure_namingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      int code = run("--port", Integer.toString(port));

      assertThat(code).isEqualTo(1);
      assertThat(errorLine()).contains("--port " + port + ": 127.0.0.1:" + port
          + " is already in use");
    }
  }

  @Test
  void missingPolicyFile_isAUsageError_namingTheFile() {
    Path missing = dir.resolve("missing.conf");

    int code = run("--policies", missing.toString());

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--policies " + missing + ": no such file");
  }

  @Test
  void unreadablePolicyFile_aDirectory_isAUsageError() {
    int code = run("--policies", dir.toString());

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--policies " + dir + ": cannot read it");
  }

  @Test
  void invalidPolicyFile_isAUsageError_namingTheFileAndTheLine() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.conf"), "[policy shoppers]\nfoo = bar\n");

    int code = run("--policies", bad.toString());

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--policies: " + bad + ":2: unknown key 'foo'");
  }

  @Test
  void badGrace_isAUsageError_namingTheOption() {
    int code = run("--grace", "soon");

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--grace='soon' is not a duration");
  }

  @Test
  void unknownOption_isAUsageError() {
    int code = run("--colour", "blue");

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("unknown option --colour");
  }

  @Test
  void graceTogetherWithPolicies_isAUsageError() throws Exception {
    Path policies = Files.writeString(dir.resolve("p.conf"), ShoppingStoryTest.POLICIES);

    int code = run("--grace", "1s", "--policies", policies.toString());

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--grace cannot be combined with --policies");
  }

  @Test
  void policies_onTomcat_areLoadedByTheConnectorsRegistry() throws Exception {
    Path policies = Files.writeString(dir.resolve("p.conf"), ShoppingStoryTest.POLICIES);

    int code = run("--container", "tomcat", "--port", "0", "--policies", policies.toString());

    try {
      assertThat(code).isZero();
      assertThat(started).singleElement().satisfies(shop -> assertThat(
          shop.registry().policies().policies().anonymous().name()).isEqualTo("shoppers"));
    } finally {
      started.forEach(RunningShop::stop);
    }
  }

  @Test
  void clusterOptions_withABadValue_areUsageErrors_namingTheOption() throws Exception {
    Path secret = Files.writeString(dir.resolve("cluster.secret"), "sixteen bytes or more\n");
    Path short_ = Files.writeString(dir.resolve("short.secret"), "too short\n");

    assertThat(run("--cluster", "http://127.0.0.1:6379", "--node", "a",
        "--cluster-secret-file", secret.toString())).isEqualTo(2);
    assertThat(errorLine()).isEqualTo("tether-shop: --cluster 'http://127.0.0.1:6379' must start"
        + " with redis:// or rediss://  (java -jar tether-shop.jar --help lists the options)");
    err.reset();
    assertThat(run("--cluster", "redis://127.0.0.1:6379", "--node", "a b",
        "--cluster-secret-file", secret.toString())).isEqualTo(2);
    assertThat(errorLine()).contains("tether-shop: --node 'a b' must be 1 to 64 letters, digits,");
    err.reset();
    assertThat(run("--cluster", "redis://127.0.0.1:6379", "--node", "a",
        "--cluster-secret-file", short_.toString())).isEqualTo(2);
    assertThat(errorLine()).contains("--cluster-secret-file " + short_ + ": holds 9 bytes; the"
        + " secret must have at least 16");
    err.reset();
    assertThat(run("--cluster", "redis://127.0.0.1:6379", "--node", "a",
        "--cluster-secret-file", dir.resolve("missing").toString())).isEqualTo(2);
    assertThat(errorLine()).contains("--cluster-secret-file " + dir.resolve("missing")
        + ": no such file (make one with: openssl rand -base64 32 >");
    err.reset();
    assertThat(run("--cluster", "redis://127.0.0.1:6379", "--node", "a",
        "--cluster-secret-file", secret.toString(), "--cluster-ack-timeout", "11s")).isEqualTo(2);
    assertThat(errorLine()).contains("tether-shop: --cluster-ack-timeout 11000 ms must be from 0 to"
        + " 10000 ms");
    err.reset();
    assertThat(run("--cluster", "redis://127.0.0.1:6379")).isEqualTo(2);
    assertThat(errorLine()).contains("--cluster needs --node and --cluster-secret-file");
  }

  @Test
  void proxyProtocol_onTomcat_isAUsageError_namingTheOption() {
    int code = run("--container", "tomcat", "--proxy-protocol");

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("tether-shop: --proxy-protocol: Tomcat 11 cannot read the"
        + " PROXY protocol");
  }

  @Test
  void demoCluster_withClusterOptions_isAUsageError() {
    int code = DemoCluster.run(new String[] {"--demo-cluster", "--cluster", "redis://h:1",
        "--node", "a", "--cluster-secret-file", "f"}, print(out), print(err));

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--demo-cluster starts its own Redis and names its nodes");
  }

  @Test
  void demoCluster_proxyProtocolWithTomcatNodes_isAUsageError() {
    int code = DemoCluster.run(new String[] {"--demo-cluster", "--proxy-protocol"}, print(out),
        print(err));

    assertThat(code).isEqualTo(2);
    assertThat(errorLine()).contains("--proxy-protocol: Tomcat 11 cannot read the PROXY protocol;"
        + " with --demo-cluster add --container jetty");
  }

  @Test
  void help_printsEveryOptionWithItsDefault_andStartsNothing() {
    int code = ShopLauncher.run(new String[] {"--help"}, print(out), print(err), started::add);

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--container jetty|tomcat",
        "(default: jetty)", "--port N", "(default: 8443)", "--host", "--keystore FILE",
        "tether-shop.p12", "--grace DURATION", "(default: 30s)", "--policies FILE",
        "--admin-password", "tether-admin", "alice / wonderland", "bob / builder", "Exit codes",
        "--cluster URI", "--node NAME", "--cluster-secret-file FILE", "--proxy-protocol",
        "--demo-cluster");
    assertThat(err.size()).isZero();
    assertThat(started).isEmpty();
  }

  @Test
  void goodOptions_printTheStartupLine_andHandTheShopOver() {
    int code = run("--container", "jetty", "--port", "0", "--admin-password", "s3cret");

    try {
      assertThat(code).isZero();
      assertThat(started).hasSize(1);
      int port = started.get(0).port();
      assertThat(out.toString(StandardCharsets.UTF_8).lines().findFirst()).hasValue(
          "Tether shop on Jetty: https://localhost:" + port + "/  (admin / the --admin-password;"
              + " customers alice / wonderland, bob / builder)");
      assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("s3cret");
    } finally {
      started.forEach(RunningShop::stop);
    }
  }

  private static PrintStream print(ByteArrayOutputStream buffer) {
    return new PrintStream(buffer, true, StandardCharsets.UTF_8);
  }
}
