package dev.tether.it.dist;

import static dev.tether.it.dist.Distribution.DIST;
import static dev.tether.it.dist.Distribution.VERSION;
import static dev.tether.it.dist.Distribution.fresh;
import static dev.tether.it.dist.Distribution.lines;
import static dev.tether.it.dist.Distribution.read;
import static dev.tether.it.dist.Distribution.run;
import static dev.tether.it.dist.Distribution.write;
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
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Tether in a real Tomcat distribution ({@code org.apache.tomcat:tomcat:tar.gz} as Maven Central
 * serves it), installed exactly as the README's "Install in a Tomcat distribution" says: unzip the
 * bundle over the CATALINA_BASE, add the jar-scan skip line, make the key store with
 * {@code keytool}, paste the connector and the valve of {@code conf/tether/server.xml.snippet} into
 * {@code conf/server.xml}, {@code bin/catalina.sh start}. Each test unpacks its own Tomcat, drives it
 * with {@code openssl s_client} and stops it by the pid {@code catalina.sh} wrote.
 */
class TomcatDistributionIT {
  private static final String TOMCAT_VERSION = System.getProperty("tomcat-dist.version");
  /** Tomcat's one-line format: {@code 04-Dec-2026 20:50:14.805 INFO [main] class.method message}. */
  private static final Pattern JULI_LINE = Pattern.compile(
      "^\\d\\d-\\w{3}-\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARNING|SEVERE|FINE) \\[[^]]+] \\S+ .*");
  /** The README's sed command (in single quotes there) that adds the jar-scan skip line. */
  static final String JAR_SCAN_SED = "s/^tomcat.util.scan.StandardJarScanFilter.jarsToSkip=\\\\$/"
      + "&\\nbcprov-*.jar,bctls-*.jar,bcutil-*.jar,caffeine-*.jar,tether-*.jar,\\\\/";
  private static final Pattern SNIPPET_CONNECTOR = Pattern.compile(
      "(?s)( *<Connector protocol=\"dev\\.tether\\.tomcat\\.TomcatTetherProtocol\".*?</Connector>\\n)");
  private static final Pattern SNIPPET_VALVE = Pattern.compile(
      "( *<Valve className=\"dev\\.tether\\.tomcat\\.TomcatTetherValve\"[^>]*/>\\n)");

  private final List<Distribution.Server> servers = new ArrayList<>();
  private Path base;
  private Path ca;
  private int port;
  private List<String> tomcatLib;

  @AfterEach
  void stopServers() {
    servers.forEach(Distribution.Server::stop);
  }

  /**
   * A new Tomcat with Tether, as the README says. {@code attributes} are added to the snippet's
   * connector (e.g. {@code grace="0"}).
   */
  private void install(TestInfo test, String attributes) {
    Path dir = fresh("tomcat-" + test.getTestMethod().orElseThrow().getName());
    run(dir, "tar", "xzf", DIST.resolve("tomcat-" + TOMCAT_VERSION + ".tar.gz").toString());
    base = dir.resolve("apache-tomcat-" + TOMCAT_VERSION);
    // Not part of the install: Tomcat's sample applications only make each start slower.
    for (String app : List.of("docs", "examples", "host-manager", "manager")) {
      run(base.resolve("webapps"), "rm", "-r", app);
    }

    tomcatLib = jars(base.resolve("lib"));
    run(base, "unzip", "-n", "-q",
        DIST.resolve("tether-tomcat-" + VERSION + "-catalina-base.zip").toString());
    run(base, "sed", "-i", JAR_SCAN_SED, "conf/catalina.properties");
    ca = Distribution.keyStore(base.resolve("conf/tether.p12"));

    String snippet = read(base.resolve("conf/tether/server.xml.snippet"));
    port = Distribution.freePort();
    String connector = Distribution.find(SNIPPET_CONNECTOR, snippet)
        .replace("port=\"8443\"", "port=\"" + port + "\"")
        .replace("grace=\"30s\"", "grace=\"30s\" " + attributes);
    String valve = Distribution.find(SNIPPET_VALVE, snippet);
    String engine = "    <Engine name=\"Catalina\" defaultHost=\"localhost\">\n";
    String serverXml = read(base.resolve("conf/server.xml"));
    assertThat(serverXml).contains(engine);
    write(base.resolve("conf/server.xml"), serverXml
        .replace(engine, connector + "\n" + engine + valve)
        // Test ports: no shutdown port (the test stops Tomcat by its pid), any free HTTP port.
        .replace("<Server port=\"8005\"", "<Server port=\"-1\"")
        .replace("<Connector port=\"8080\"", "<Connector port=\"0\""));
  }

  private static List<String> jars(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Map<String, String> env() {
    return Map.of("CATALINA_HOME", base.toString(), "CATALINA_BASE", base.toString(),
        "CATALINA_PID", base.resolve("temp/tomcat.pid").toString(),
        "JAVA_HOME", Distribution.JAVA_HOME);
  }

  /** {@code bin/catalina.sh start}; returns once Tomcat has started, or fails with its log. */
  private Distribution.Server start() {
    ProcessHandle jvm = catalinaStart();
    Path log = base.resolve("logs/catalina.out");
    await().atMost(Distribution.START).pollInterval(Duration.ofMillis(100))
        .until(() -> read(log).contains("Server startup in") || !jvm.isAlive());
    assertThat(read(log)).as("Tomcat did not start:%n%s", read(log)).contains("Server startup in");
    Distribution.Server server = new Distribution.Server(jvm, log, port);
    servers.add(server);
    return server;
  }

  private ProcessHandle catalinaStart() {
    run(base, env(), "bin/catalina.sh", "start");
    long pid = Long.parseLong(read(base.resolve("temp/tomcat.pid")).trim());
    ProcessHandle jvm = ProcessHandle.of(pid).orElseThrow();
    servers.add(new Distribution.Server(jvm, base.resolve("logs/catalina.out"), port));
    return jvm;
  }

  /** {@code bin/catalina.sh start} of a Tomcat that must not start; returns its log. */
  private String startFails() {
    ProcessHandle jvm = catalinaStart();
    await().atMost(Distribution.START).until(() -> !jvm.isAlive());
    String log = read(base.resolve("logs/catalina.out"));
    assertThat(log).doesNotContain("Server startup in");
    return log;
  }

  @Test
  void readmeInstall_resumesWithinTheGrace_logsThroughJuli_showsJmx_stopsCleanly(TestInfo test)
      throws Exception {
    install(test, "");
    List<String> added = new ArrayList<>(jars(base.resolve("lib")));
    added.removeAll(tomcatLib);
    assertThat(added).as("the bundle's lib/: exactly what Tether runs on")
        .containsExactlyInAnyOrder("tether-tomcat-" + VERSION + ".jar",
            "tether-core-" + VERSION + ".jar", "caffeine-3.2.3.jar");
    assertThat(read(base.resolve("conf/catalina.properties")))
        .contains("jarsToSkip=\\\nbcprov-*.jar,bctls-*.jar,bcutil-*.jar,caffeine-*.jar,tether-*.jar,\\\n");
    Distribution.Server tomcat = start();
    String log = tomcat.log();
    assertThat(log).contains("Command line argument: -Djdk.tls.server.enableSessionTicketExtension=false")
        .contains("Command line argument: -Djdk.tls.rejectClientInitiatedRenegotiation=true");

    OpenSslClient.Result tls12 = new OpenSslClient(port, "TLSv1.2", ca).reconnect();
    assertThat(tls12.handshakes()).as(tls12.output()).containsExactly(Handshake.NEW,
        Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED);
    OpenSslClient tls13 = new OpenSslClient(port, "TLSv1.3", ca);
    Path session = base.resolve("tls13.session");
    Path resumed = base.resolve("tls13-resumed.session");
    assertThat(tls13.request(null, session).handshake()).isEqualTo(Handshake.NEW);
    assertThat(tls13.request(session, resumed).handshake()).isEqualTo(Handshake.REUSED);

    // One log: core's System.Logger lines go through JULI, in Tomcat's format, to catalina.out.
    List<String> started = lines(tomcat.log(), "Tether registry 'shop' started");
    assertThat(started).singleElement().asString().matches(JULI_LINE)
        .contains(" dev.tether.AssociationRegistry.<init> ");
    assertThat(lines(tomcat.log(), "Tether tracks TLS connections")).singleElement().asString()
        .matches(JULI_LINE).contains("anonymous grace=30s").endsWith("protocols=http/1.1");

    try (JMXConnector connector = tomcat.jmx()) {
      MBeanServerConnection jmx = connector.getMBeanServerConnection();
      ObjectName registry = new ObjectName(
          "Catalina:type=TetherRegistry,name=\"shop\",port=" + port);
      assertThat(jmx.getAttribute(registry, "grace")).isEqualTo("30s");
      assertThat(jmx.getAttribute(registry, "registryName")).isEqualTo("shop");
      assertThat(jmx.getAttribute(registry, "negotiated")).isEqualTo(2L);
      assertThat(jmx.getAttribute(registry, "reused")).isEqualTo(6L);
      assertThat(jmx.getAttribute(registry, "idle")).isEqualTo(2L);
      assertThat(jmx.invoke(registry, "flushAll", null, null)).isEqualTo(2);
    }
    assertThat(tls13.request(resumed, null).handshake()).as("the flushed SA cannot be resumed")
        .isEqualTo(Handshake.NEW);

    tomcat.stop();
    assertThat(lines(tomcat.log(), "Tether registry 'shop' closed; 1 SA(s) deleted"))
        .singleElement().asString().matches(JULI_LINE);
  }

  @Test
  void http2_upgradeProtocolInTheConnector_servesH2AndHttp11_andTheStartLineSaysSo(TestInfo test)
      throws Exception {
    install(test, "");
    // As the README's HTTP/2 section says: Tomcat's own upgrade protocol inside the connector.
    Path serverXml = base.resolve("conf/server.xml");
    String sslHostConfig = "      <SSLHostConfig protocols=";
    assertThat(read(serverXml)).contains(sslHostConfig);
    write(serverXml, read(serverXml).replace(sslHostConfig,
        "      <UpgradeProtocol className=\"org.apache.coyote.http2.Http2Protocol\" />\n"
            + sslHostConfig));
    Distribution.Server tomcat = start();

    Curl.Response h2 = Curl.get(port, ca, "TLSv1.3", "/", "--http2");
    assertThat(h2.version()).isEqualTo("2");
    assertThat(h2.headers()).doesNotContainKey("connection");
    Curl.Response h1 = Curl.get(port, ca, "TLSv1.2", "/", "--http1.1");
    assertThat(h1.version()).isEqualTo("1.1");
    try (JMXConnector connector = tomcat.jmx()) {
      MBeanServerConnection jmx = connector.getMBeanServerConnection();
      ObjectName registry = new ObjectName(
          "Catalina:type=TetherRegistry,name=\"shop\",port=" + port);
      assertThat(jmx.getAttribute(registry, "negotiated")).as("one SA per curl connection")
          .isEqualTo(2L);
    }
    assertThat(lines(tomcat.log(), "Tether tracks TLS connections")).singleElement().asString()
        .matches(JULI_LINE).endsWith("protocols=h2, http/1.1");
  }

  @Test
  void readme_givesTheStepsTheseTestsRun() {
    assertThat(read(Distribution.README)).contains("cd $CATALINA_BASE\n"
        + "unzip -n tether-tomcat-VERSION-catalina-base.zip\n"
        + "sed -i '" + JAR_SCAN_SED + "' conf/catalina.properties\n"
        + Distribution.readmeKeytool("conf/tether.p12") + "\n"
        + "# conf/server.xml: the <Connector> of conf/tether/server.xml.snippet inside"
        + " <Service name=\"Catalina\">,\n"
        + "# before <Engine>; its <Valve> as the first element inside <Engine>\n"
        + "bin/catalina.sh start\n");
  }

  @Test
  void graceZero_deletesAtTheLastClose_soTheNextConnectionIsNew(TestInfo test) throws Exception {
    install(test, "");
    write(base.resolve("conf/server.xml"),
        read(base.resolve("conf/server.xml")).replace("grace=\"30s\"", "grace=\"0\""));
    Distribution.Server tomcat = start();
    for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
      OpenSslClient openssl = new OpenSslClient(port, protocol, ca);
      Path session = base.resolve(protocol + ".session");
      assertThat(openssl.request(null, session).handshake()).as(protocol).isEqualTo(Handshake.NEW);
      // Once the server has seen the connection close (JMX: no lease), the SA is gone.
      tomcat.awaitNoLeases("Catalina:type=TetherRegistry,name=\"shop\",*");
      assertThat(openssl.request(session, null).handshake()).as(protocol)
          .isEqualTo(Handshake.NEW);
    }

    // bin/setenv.sh's -Djdk.tls.rejectClientInitiatedRenegotiation=true: openssl's R on a TLS 1.2
    // connection gets the JDK's fatal alert, the lease is released, and the start did not warn.
    try (OpenSslClient.Held held = new OpenSslClient(port, "TLSv1.2", ca).open(null, null)) {
      assertThat(held.renegotiate()).as("s_client ended").isTrue();
      assertThat(held.output()).contains("RENEGOTIATING").contains("alert handshake failure");
    }
    tomcat.awaitNoLeases("Catalina:type=TetherRegistry,name=\"shop\",*");
    assertThat(tomcat.log()).doesNotContain("Start the JVM with -Djdk.tls.rejectClientInitiated");
  }

  @Test
  void policyFile_relativeToCatalinaBase_narrowsNegotiation(TestInfo test) throws Exception {
    install(test, "policies=\"conf/tether-policies.conf\"");
    write(base.resolve("conf/tether-policies.conf"), """
        [policy modern]
        applies-to = anonymous
        protocols = TLSv1.3
        grace = 1m
        """);
    Distribution.Server tomcat = start();

    OpenSslClient.Result tls12 = new OpenSslClient(port, "TLSv1.2", ca).request(null, null);
    assertThat(tls12.output()).as("TLS 1.2 is refused by the policy")
        .contains("alert protocol version").contains("Cipher is (NONE)");
    OpenSslClient tls13 = new OpenSslClient(port, "TLSv1.3", ca);
    Path session = base.resolve("tls13.session");
    assertThat(tls13.request(null, session).handshake()).isEqualTo(Handshake.NEW);
    assertThat(tls13.request(session, null).handshake()).isEqualTo(Handshake.REUSED);
    assertThat(tomcat.log()).contains("policies=PolicySet[modern], anonymous grace=1m");
  }

  @Test
  void badSetting_stopsTheStart_namingTheAttributeAndValue(TestInfo test) {
    install(test, "peerBindingTtl=\"soon\"");
    assertThat(startFails()).contains("Tether connector attribute peerBindingTtl=\"soon\" is"
        + " invalid: expected a duration, more than 0");
  }

  @Test
  void bcjsse_needsBouncyCastleInLib_thenResumesTls12(TestInfo test) throws Exception {
    install(test, "provider=\"bcjsse\"");
    assertThat(startFails()).contains("Tether connector attribute provider=bcjsse needs Bouncy"
        + " Castle on the server's class path").contains(
        "missing: bcprov-jdk18on, bcutil-jdk18on, bctls-jdk18on");

    // As the README says: Bouncy Castle's three jars, of one version, into lib/.
    try (Stream<Path> jars = Files.list(DIST.resolve("bouncycastle"))) {
      for (Path jar : jars.toList()) {
        Files.copy(jar, base.resolve("lib").resolve(jar.getFileName()));
      }
    }
    Distribution.Server tomcat = start();
    OpenSslClient.Result tls12 = new OpenSslClient(port, "TLSv1.2", ca).reconnect();
    assertThat(tls12.handshakes()).as(tls12.output()).containsExactly(Handshake.NEW,
        Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED);
    assertThat(tomcat.log()).contains("provider=bcjsse");
  }

}
