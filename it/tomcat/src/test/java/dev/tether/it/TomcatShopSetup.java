package dev.tether.it;

import dev.tether.AssociationRegistry;
import dev.tether.tls.SelfSignedCertificate;
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
import org.apache.catalina.realm.MemoryRealm;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * Installs Tether on a running Tomcat 11 the way {@code server.xml} does: two
 * {@link TomcatTetherProtocol} HTTPS connectors on 127.0.0.1 ({@code immediate} with grace 0 and
 * {@code graceful} with a short grace), the {@link TomcatTetherValve} on the Engine, and the shop's
 * users in a {@link MemoryRealm} on the Engine ({@code tomcat-users.xml} of the test resources).
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
    engine.getPipeline().addValve(new TomcatTetherValve());
    Endpoint immediate = connector(service, "immediate", Duration.ZERO, provider, certificate);
    Endpoint graceful = connector(service, "graceful", GRACE, provider, certificate);
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

  private static Endpoint connector(Service service, String name, Duration grace,
      TlsProvider provider, SelfSignedCertificate certificate) {
    Connector connector = new Connector(TomcatTetherProtocol.class.getName());
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setScheme("https");
    connector.setSecure(true);
    connector.setProperty("SSLEnabled", "true");
    connector.setProperty("registryName", name);
    // The attribute is "grace"; the protocol called it "gracePeriod" before it was renamed.
    if (!connector.setProperty("grace", Long.toString(grace.toMillis()))) {
      connector.setProperty("gracePeriod", Long.toString(grace.toMillis()));
    }
    connector.setProperty("provider", provider.settingValue());
    SSLHostConfig host = new SSLHostConfig();
    host.setProtocols("TLSv1.2+TLSv1.3");
    SSLHostConfigCertificate key = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.EC);
    key.setCertificateKeystore(certificate.keyStore());
    key.setCertificateKeystorePassword(new String(certificate.password()));
    key.setCertificateKeyAlias(SelfSignedCertificate.ALIAS);
    host.addCertificate(key);
    connector.addSslHostConfig(host);
    service.addConnector(connector);

    AssociationRegistry registry = ((TomcatTetherProtocol) connector.getProtocolHandler()).registry();
    if (connector.getState() != LifecycleState.STARTED || registry == null) {
      throw new IllegalStateException("Tether connector " + name + " did not start: "
          + connector.getState());
    }
    if (!registry.defaultPolicy().grace().equals(grace)) {
      throw new IllegalStateException("Tether connector " + name + " has grace "
          + registry.defaultPolicy().grace() + ", not " + grace);
    }
    SaJournal journal = new SaJournal();
    registry.addListener(journal);
    return new Endpoint(name, connector.getLocalPort(), registry, grace, journal);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(TomcatShopSetup.class.getResource("/" + name).toURI());
  }
}
