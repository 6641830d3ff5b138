package dev.tether.it;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.certificates.TomcatTls;
import dev.tether.tls.TlsProvider;
import dev.tether.tomcat.TomcatTetherProtocol;
import dev.tether.tomcat.TomcatTetherValve;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.catalina.Engine;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.catalina.realm.MemoryRealm;
import org.apache.catalina.util.ServerInfo;

/**
 * Installs Tether on a running Tomcat 11 the way {@code server.xml} does: two
 * {@link TomcatTetherProtocol} HTTPS connectors on 127.0.0.1 ({@code immediate} with the shop's
 * policy file, {@link ShopPolicies}, and {@code graceful} with the built-in default policy and a short
 * grace), the {@link TomcatTetherValve} on the Engine, and the shop's users in a {@link MemoryRealm}
 * on the Engine ({@code tomcat-users.xml} of the test resources).
 *
 * <p>Tomcat starts a connector added to a started Service and a valve added to a started pipeline,
 * so this can run after the adapter started Tomcat and deployed the WAR. Not thread-safe: call it
 * from the thread that controls the container.
 */
final class TomcatShopSetup {
  /** The grace period of the {@code graceful} connector: short, but real (the system ticker runs). */
  static final Duration GRACE = Duration.ofSeconds(2);

  private TomcatShopSetup() {}

  /** Installs Tether on the Engine's Service and returns the shop as the scenarios see it. */
  static TetherShop install(Engine engine, TlsProvider provider) throws Exception {
    Service service = engine.getService();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("changeit".toCharArray());
    MemoryRealm users = new MemoryRealm();
    users.setPathname(resource("tomcat-users.xml").toString());
    engine.setRealm(users);
    Connector policed = connector("immediate", provider, certificate);
    policed.setProperty("policies", ShopPolicies.file().toString());
    Endpoint immediate = start(service, policed, ShopPolicies.BROWSE, Duration.ZERO);
    Connector plain = connector("graceful", provider, certificate);
    plain.setProperty("grace", Long.toString(GRACE.toMillis()));
    Endpoint graceful = start(service, plain, "default", GRACE);
    // After the connectors, as in a server.xml start: the valve looks for them when it starts.
    engine.getPipeline().addValve(new TomcatTetherValve());
    String description = "Tomcat " + ServerInfo.getServerNumber() + " (Arquillian), provider "
        + provider.settingValue();
    return new TetherShop() {
      @Override
      public String description() {
        return description;
      }

      @Override
      public TlsProvider provider() {
        return provider;
      }

      @Override
      public Endpoint immediate() {
        return immediate;
      }

      @Override
      public Endpoint graceful() {
        return graceful;
      }

      @Override
      public SelfSignedCertificate certificate() {
        return certificate;
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  /** Returns an HTTPS connector with Tether's protocol, not yet added to the Service. */
  private static Connector connector(String name, TlsProvider provider,
      SelfSignedCertificate certificate) {
    Connector connector = new Connector(TomcatTetherProtocol.class.getName());
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setScheme("https");
    connector.setSecure(true);
    connector.setProperty("SSLEnabled", "true");
    connector.setProperty("registryName", name);
    connector.setProperty("provider", provider.settingValue());
    connector.addSslHostConfig(TomcatTls.hostConfig(certificate, "TLSv1.2+TLSv1.3"));
    // h2 by ALPN next to HTTP/1.1, as a production connector offers it: the HTTP/2 axis's clients
    // ask for h2, the others get HTTP/1.1.
    connector.addUpgradeProtocol(new Http2Protocol());
    return connector;
  }

  /** Adds the connector to the started Service, which starts it, and returns it as an endpoint. */
  private static Endpoint start(Service service, Connector connector, String anonymousPolicy,
      Duration grace) {
    service.addConnector(connector);
    TomcatTetherProtocol tether = (TomcatTetherProtocol) connector.getProtocolHandler();
    if (connector.getState() != LifecycleState.STARTED) {
      throw new IllegalStateException("Tether connector " + tether.getRegistryName()
          + " did not start: " + connector.getState());
    }
    return Endpoint.of(tether.getRegistryName(), connector.getLocalPort(), tether.registry(),
        anonymousPolicy, grace);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(TomcatShopSetup.class.getResource("/" + name).toURI());
  }
}
