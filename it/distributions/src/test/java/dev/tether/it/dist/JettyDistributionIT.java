package dev.tether.it.dist;

import static dev.tether.it.dist.Distribution.DIST;
import static dev.tether.it.dist.Distribution.JAVA;
import static dev.tether.it.dist.Distribution.PASSWORD;
import static dev.tether.it.dist.Distribution.VERSION;
import static dev.tether.it.dist.Distribution.append;
import static dev.tether.it.dist.Distribution.fresh;
import static dev.tether.it.dist.Distribution.lines;
import static dev.tether.it.dist.Distribution.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.Curl;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Tether in a real Jetty distribution ({@code org.eclipse.jetty:jetty-home} as Maven Central serves
 * it), installed exactly as the README's "In a Jetty distribution" says: unzip the jetty-base zip into
 * a new jetty-base, {@code java -jar $JETTY_HOME/start.jar --add-modules=https,tether}, a key store
 * made with {@code keytool}, {@code java -jar $JETTY_HOME/start.jar}. Each test starts its own Jetty
 * (two JVMs: start.jar forks the server for the module's JVM flags) on a free port, drives it with
 * {@code openssl s_client} and stops it by the server JVM's pid.
 */
class JettyDistributionIT {
  private static final String HOME_VERSION = System.getProperty("jetty-home.version");
  private static final Pattern PORT = Pattern.compile(
      "Started oejs\\.ServerConnector@\\w+\\{SSL, \\(ssl, [^)]*\\)\\}\\{[^}]*:(\\d+)\\}");
  /** Jetty's own log format: {@code 2026-12-04 18:58:57.446:INFO :dt.AssociationRegistry:main: }. */
  private static final Pattern JETTY_LINE = Pattern.compile(
      "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}:(INFO|WARN|DEBUG|ERROR) :[\\w.$]+:[^:]+: .*");
  private static final String MBEAN = "dev.tether.jetty:type=jettytether,*";
  private static Path home;

  private final List<Distribution.Server> servers = new ArrayList<>();
  private Path base;
  private Path ca;

  @BeforeAll
  static void unpackJettyHome() {
    Path dir = fresh("jetty");
    run(dir, "unzip", "-q", DIST.resolve("jetty-home-" + HOME_VERSION + ".zip").toString());
    home = dir.resolve("jetty-home-" + HOME_VERSION);
  }

  @AfterEach
  void stopServers() {
    servers.forEach(Distribution.Server::stop);
  }

  /** The README's steps, in a new jetty-base named after the test. */
  private void install(TestInfo test, String modules) {
    base = fresh("jetty-base-" + test.getTestMethod().orElseThrow().getName());
    run(base, "unzip", "-q", DIST.resolve("tether-jetty-" + VERSION + "-jetty-base.zip").toString());
    run(base, JAVA, "-jar", startJar(), "--add-modules=" + modules);
    ca = Distribution.keyStore(base.resolve("etc/keystore.p12"));
    append(base.resolve("start.d/ssl-context.ini"),
        "\njetty.sslContext.keyStorePassword=" + PASSWORD + "\n");
    // Any free port: the test reads the port Jetty bound from its log.
    append(base.resolve("start.d/ssl.ini"), "\njetty.ssl.port=0\n");
  }

  private String startJar() {
    return home.resolve("start.jar").toString();
  }

  /** {@code java -jar $JETTY_HOME/start.jar [properties]}; returns once Jetty has started. */
  private Distribution.Server start(String... properties) throws Exception {
    Path log = base.resolve("jetty.log");
    Files.deleteIfExists(log);
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", startJar()));
    command.addAll(List.of(properties));
    Process startJar = new ProcessBuilder(command).directory(base.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(Distribution.START).pollInterval(Duration.ofMillis(100)).until(() ->
        Distribution.read(log).contains("Started oejs.Server@") || !startJar.isAlive());
    String text = Distribution.read(log);
    assertThat(text).as("Jetty did not start:%n%s", text).contains("Started oejs.Server@");
    // start.jar forked the server JVM for the tether module's [exec] flags: stop that one.
    ProcessHandle jvm = startJar.toHandle().children().findFirst().orElseThrow();
    Distribution.Server server = new Distribution.Server(jvm, log,
        Integer.parseInt(Distribution.find(PORT, text)));
    servers.add(server);
    return server;
  }

  /** Runs start.jar and waits until it gives up; returns its log. */
  private String startFails(String... properties) throws Exception {
    Path log = base.resolve("jetty-failed.log");
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", startJar()));
    command.addAll(List.of(properties));
    Process startJar = new ProcessBuilder(command).directory(base.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(Distribution.START).until(() -> !startJar.isAlive());
    String text = Distribution.read(log);
    assertThat(text).doesNotContain("Started oejs.Server@");
    return text;
  }

  @Test
  void readmeInstall_resumesTls12And13WithinTheGrace_logsInJettysFormat_stopsCleanly(
      TestInfo test) throws Exception {
    install(test, "https,tether");
    assertThat(base.resolve("start.d/tether.ini")).exists();
    assertThat(base.resolve("lib/tether")).isDirectoryContaining("glob:**/tether-core-*.jar")
        .isDirectoryContaining("glob:**/caffeine-*.jar")
        .isDirectoryNotContaining("glob:**/bc*.jar");
    Distribution.Server jetty = start();

    OpenSslClient.Result tls12 = new OpenSslClient(jetty.port, "TLSv1.2", ca).reconnect();
    assertThat(tls12.handshakes()).as(tls12.output()).containsExactly(Handshake.NEW,
        Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED);
    OpenSslClient tls13 = new OpenSslClient(jetty.port, "TLSv1.3", ca);
    Path session = base.resolve("tls13.session");
    assertThat(tls13.request(null, session).handshake()).isEqualTo(Handshake.NEW);
    assertThat(tls13.request(session, null).handshake()).isEqualTo(Handshake.REUSED);

    // One log: core's System.Logger lines come out through Jetty's SLF4J, in Jetty's format.
    String log = jetty.log();
    List<String> registry = lines(log, "Tether registry 'default' started");
    assertThat(registry).hasSize(1);
    assertThat(registry.get(0)).matches(JETTY_LINE).contains(":dt.AssociationRegistry:");
    assertThat(lines(log, "Tether started on")).singleElement().asString().matches(JETTY_LINE)
        .contains("protocols=http/1.1)");
    assertThat(log).doesNotContain("INFO: Tether").doesNotContain("dev.tether.AssociationRegistry <init>");
    assertThat(log).contains("stateful sessions=true");

    jetty.stop();
    String stopped = jetty.log();
    assertThat(lines(stopped, "Tether registry 'default' closed; 2 SA(s) deleted"))
        .singleElement().asString().matches(JETTY_LINE);
    assertThat(stopped).contains("Tether stopped with registry 'default'");
  }

  @Test
  void http2Module_servesH2AndHttp11_tetherFollowsBoth_andTheStartLineSaysSo(TestInfo test)
      throws Exception {
    // As the README's HTTP/2 section says: Jetty's own http2 module next to https and tether.
    install(test, "https,http2,tether,jmx");
    Distribution.Server jetty = start();

    Curl.Response h2 = Curl.get(jetty.port, ca, "TLSv1.3", "/", "--http2");
    assertThat(h2.version()).isEqualTo("2");
    assertThat(h2.headers()).doesNotContainKey("connection");
    Curl.Response h1 = Curl.get(jetty.port, ca, "TLSv1.2", "/", "--http1.1");
    assertThat(h1.version()).isEqualTo("1.1");
    jetty.awaitNoLeases(MBEAN);
    try (JMXConnector connector = jetty.jmx()) {
      MBeanServerConnection jmx = connector.getMBeanServerConnection();
      ObjectName tether = jmx.queryNames(new ObjectName(MBEAN), null).iterator().next();
      assertThat(jmx.getAttribute(tether, "negotiated")).as("one SA per curl connection")
          .isEqualTo(2L);
    }
    assertThat(lines(jetty.log(), "Tether started on")).singleElement().asString()
        .contains("protocols=h2, http/1.1)");
  }

  @Test
  void readme_givesTheStepsTheseTestsRun() {
    assertThat(Distribution.read(Distribution.README)).contains("cd $JETTY_BASE\n"
        + "unzip tether-jetty-VERSION-jetty-base.zip\n"
        + "java -jar $JETTY_HOME/start.jar --add-modules=https,tether\n"
        + Distribution.readmeKeytool("etc/keystore.p12") + "\n"
        + "echo 'jetty.sslContext.keyStorePassword=changeit' >> start.d/ssl-context.ini\n"
        + "java -jar $JETTY_HOME/start.jar\n")
        .contains("java -jar $JETTY_HOME/start.jar --add-modules=bouncycastle --approve-all-licenses\n"
            + "  echo 'bouncycastle.version=1.84' >> start.d/bouncycastle.ini");
  }

  @Test
  void graceZero_deletesAtTheLastClose_soTheNextConnectionIsNew(TestInfo test) throws Exception {
    install(test, "https,tether,jmx");
    // As the README says: uncomment and change the setting in start.d/tether.ini.
    append(base.resolve("start.d/tether.ini"), "\njetty.tether.grace=0\n");
    Distribution.Server jetty = start();

    // The next connection offers the session once the server has seen the first one close (JMX:
    // no lease). Sooner, as with -reconnect, the SA is still referenced and rightly resumed.
    for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
      OpenSslClient openssl = new OpenSslClient(jetty.port, protocol, ca);
      Path session = base.resolve(protocol + ".session");
      assertThat(openssl.request(null, session).handshake()).as(protocol).isEqualTo(Handshake.NEW);
      jetty.awaitNoLeases(MBEAN);
      assertThat(openssl.request(session, null).handshake()).as(protocol)
          .isEqualTo(Handshake.NEW);
    }
    assertThat(jetty.log()).contains("anonymous grace=0,");

    // The [exec] line's -Djdk.tls.rejectClientInitiatedRenegotiation=true: openssl's R on a TLS 1.2
    // connection gets the JDK's fatal alert, the lease is released, and the start did not warn.
    try (OpenSslClient.Held held = new OpenSslClient(jetty.port, "TLSv1.2", ca).open(null, null)) {
      assertThat(held.renegotiate()).as("s_client ended").isTrue();
      assertThat(held.output()).contains("RENEGOTIATING").contains("alert handshake failure");
    }
    jetty.awaitNoLeases(MBEAN);
    assertThat(jetty.log()).doesNotContain("Start the JVM with -Djdk.tls.rejectClientInitiated");
  }

  @Test
  void policyFile_relativeToTheJettyBase_narrowsNegotiation(TestInfo test) throws Exception {
    install(test, "https,tether");
    Distribution.write(base.resolve("etc/tether-policies.conf"), """
        [policy modern]
        applies-to = anonymous
        protocols = TLSv1.3
        grace = 1m
        """);
    Distribution.Server jetty = start("jetty.tether.policies=etc/tether-policies.conf");

    OpenSslClient.Result tls12 = new OpenSslClient(jetty.port, "TLSv1.2", ca).request(null, null);
    assertThat(tls12.output()).as("TLS 1.2 is refused by the policy")
        .contains("alert protocol version").contains("Cipher is (NONE)");
    OpenSslClient tls13 = new OpenSslClient(jetty.port, "TLSv1.3", ca);
    Path session = base.resolve("tls13.session");
    assertThat(tls13.request(null, session).handshake()).isEqualTo(Handshake.NEW);
    assertThat(tls13.request(session, null).handshake()).isEqualTo(Handshake.REUSED);
    assertThat(jetty.log()).contains("policies=PolicySet[modern], anonymous grace=1m");
  }

  @Test
  void jmx_showsTheSettingsAndCounts_andAFlushEndsResumption(TestInfo test) throws Exception {
    install(test, "https,tether,jmx");
    Distribution.Server jetty = start("jetty.tether.registryName=ops");
    OpenSslClient tls13 = new OpenSslClient(jetty.port, "TLSv1.3", ca);
    Path session = base.resolve("tls13.session");
    assertThat(tls13.request(null, session).handshake()).isEqualTo(Handshake.NEW);

    try (JMXConnector connector = jetty.jmx()) {
      MBeanServerConnection jmx = connector.getMBeanServerConnection();
      Set<ObjectName> names = jmx.queryNames(new ObjectName(MBEAN), null);
      assertThat(names).hasSize(1);
      ObjectName tether = names.iterator().next();
      assertThat(jmx.getAttribute(tether, "registryName")).isEqualTo("ops");
      assertThat(jmx.getAttribute(tether, "grace")).isEqualTo("30s");
      assertThat(jmx.getAttribute(tether, "peerBindingTtl")).isEqualTo("30m");
      assertThat(jmx.getAttribute(tether, "negotiated")).isEqualTo(1L);
      assertThat(jmx.getAttribute(tether, "idle")).isEqualTo(1L);
      assertThat(jmx.invoke(tether, "flushAll", null, null)).isEqualTo(1);
      assertThat(jmx.getAttribute(tether, "flushed")).isEqualTo(1L);
    }
    assertThat(tls13.request(session, null).handshake()).as("the flushed SA cannot be resumed")
        .isEqualTo(Handshake.NEW);
  }

  @Test
  void badSetting_stopsTheStart_namingTheSettingAndValue(TestInfo test) throws Exception {
    install(test, "https,tether");
    assertThat(startFails("jetty.tether.grace=soon")).contains(
        "jetty.tether.grace=soon is invalid: expected a duration, 0 or more: 0, 500ms, 30s");
    assertThat(startFails("jetty.tether.provider=bcjsse")).contains(
        "jetty.tether.provider=bcjsse needs Bouncy Castle on the server's class path")
        .contains("missing: bcprov-jdk18on, bcutil-jdk18on, bctls-jdk18on");
  }

  @Test
  void bcjsse_withJettysBouncyCastleModule_resumesTls12(TestInfo test) throws Exception {
    install(test, "https,tether");
    // Jetty's own module installs Bouncy Castle; it copies the jars from the Maven repository.
    run(base, JAVA, "-jar", startJar(), "--add-modules=bouncycastle", "--approve-all-licenses",
        "maven.local.repo=" + System.getProperty("maven.local.repo"),
        "bouncycastle.version=" + System.getProperty("bouncycastle.version"));
    append(base.resolve("start.d/bouncycastle.ini"),
        "\nbouncycastle.version=" + System.getProperty("bouncycastle.version") + "\n");
    Distribution.Server jetty = start("jetty.tether.provider=bcjsse");

    OpenSslClient.Result tls12 = new OpenSslClient(jetty.port, "TLSv1.2", ca).reconnect();
    assertThat(tls12.handshakes()).as(tls12.output()).containsExactly(Handshake.NEW,
        Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED);
    OpenSslClient.Result tls13 = new OpenSslClient(jetty.port, "TLSv1.3", ca).request(null, null);
    assertThat(tls13.handshake()).isEqualTo(Handshake.NEW);
    assertThat(tls13.protocols()).containsExactly("TLSv1.3");
    assertThat(jetty.log()).contains("provider=bcjsse");
  }
}
