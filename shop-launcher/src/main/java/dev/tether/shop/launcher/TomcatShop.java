package dev.tether.shop.launcher;

import dev.tether.AssociationRegistry;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.certificates.TomcatTls;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tomcat.TomcatTetherProtocol;
import dev.tether.tomcat.TomcatTetherValve;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Valve;
import org.apache.catalina.Wrapper;
import org.apache.catalina.authenticator.FormAuthenticator;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * The shop on embedded Tomcat 11: one HTTPS connector (h2 by ALPN next to HTTP/1.1 through Tomcat's
 * {@link Http2Protocol}, unless {@code --http2 off}) with {@link TomcatTetherProtocol} (which builds
 * and owns its registry from its attributes), a {@link TomcatTetherValve} in the Engine pipeline (it
 * publishes each request's SA and flushes on login and logout), the shop's web application from its
 * unpacked server WAR, and the users in Tomcat's in-memory realm.
 *
 * <p>A node of a cluster ({@link ShopCluster}) gives the connector Tether's cluster settings, keeps
 * its HTTP sessions in the cluster's Redis ({@link TomcatSessions}; its valve first in the Engine,
 * before Tether's) and serves the cluster's SA table ({@link ClusterServlet}). Its FORM login
 * lands on {@code /account} when the page it started from was saved on another node.
 *
 * <p>Owns the Tomcat instance: {@link #stop()} stops and destroys it, which closes the connector's
 * registry. Not thread-safe.
 */
final class TomcatShop implements ShopServer {
  /** The connector attribute that names the policy file. */
  static final String POLICIES_ATTRIBUTE = "policies";

  private final Tomcat tomcat;
  private final Connector connector;
  private volatile AssociationRegistry registry;

  private TomcatShop(Tomcat tomcat, Connector connector) {
    this.tomcat = tomcat;
    this.connector = connector;
  }

  /**
   * Starts the shop; on failure Tomcat is stopped again.
   *
   * @param policies the policy file, already checked by the launcher, or {@code null} for the
   *     {@link StrongPolicy} with the grace, written to the shop's work directory
   * @param cluster the cluster this shop is a node of, or {@code null}
   */
  static TomcatShop start(LauncherOptions options, SelfSignedCertificate certificate,
      ShopFiles files, Path policies, ShopCluster cluster) throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(files.work().resolve("tomcat").toString());
    Connector https = new Connector(TomcatTetherProtocol.class.getName());
    https.setPort(options.port());
    https.setScheme("https");
    https.setSecure(true);
    set(https, "address", options.host());
    set(https, "SSLEnabled", "true");
    set(https, "registryName", "shop");
    set(https, "maxAssociationsPerPeer", Integer.toString(options.maxPerPeer()));
    Path file = policies != null ? policies
        : Files.writeString(files.work().resolve(StrongPolicy.RESOURCE),
            StrongPolicy.text(options.grace(), cluster != null), StandardCharsets.UTF_8);
    set(https, POLICIES_ATTRIBUTE, file.toAbsolutePath().toString());
    if (cluster != null) {
      ClusterOptions c = cluster.options();
      set(https, "clusterUri", c.uri());
      set(https, "clusterNode", c.node());
      set(https, "clusterSecretFile", c.secretFile().toAbsolutePath().toString());
      set(https, "clusterAckTimeout", c.ackTimeout().toMillis() + "ms");
      set(https, "clusterAddress", RunningShop.address(options));
    }
    https.addSslHostConfig(TomcatTls.hostConfig(certificate, "TLSv1.2+TLSv1.3"));
    if (options.http2()) {
      // h2 by ALPN next to HTTP/1.1; TomcatTetherProtocol follows its streams.
      https.addUpgradeProtocol(new Http2Protocol());
    }
    tomcat.getService().addConnector(https);
    tomcat.setConnector(https);

    if (cluster != null) {
      // First: Tether's valve compares the session's user before and after the request.
      tomcat.getEngine().getPipeline().addValve(new TomcatSessions.Valve());
    }
    // Before the authenticators, which run in the Context: the valve must see the principal change.
    tomcat.getEngine().getPipeline().addValve(new TomcatTetherValve());
    for (ShopUser u : ShopUser.all(options.adminPassword())) {
      tomcat.addUser(u.name(), u.password());
      tomcat.addRole(u.name(), u.role());
    }
    // The shop has no JSP: Tomcat's default web.xml (JSP servlet, Jasper) is not needed.
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context shop = tomcat.addWebapp("", files.webapp().toString());
    StandardJarScanner scanner = new StandardJarScanner();
    // The launcher's class path is one large jar with nothing for the shop: do not scan it.
    scanner.setScanClassPath(false);
    scanner.setScanManifest(false);
    shop.setJarScanner(scanner);
    Wrapper staticFiles = Tomcat.addServlet(shop, "default", new DefaultServlet());
    staticFiles.addInitParameter("listings", "false");
    shop.addServletMapping("/", "default");
    Tomcat.addDefaultMimeTypeMappings(shop);
    if (cluster != null) {
      shop.setManager(new TomcatSessions.SharedManager(cluster.redis()));
      Tomcat.addServlet(shop, "tether-cluster", cluster.servlet());
      shop.addServletMappingDecoded(ClusterServlet.PATH + "/*", "tether-cluster");
      shop.addLifecycleListener(event -> {
        if (Lifecycle.CONFIGURE_START_EVENT.equals(event.getType())) {
          landOnAccount(shop);
        }
      });
    }

    TomcatShop started = new TomcatShop(tomcat, https);
    try {
      tomcat.start();
      // Tomcat logs a connector that failed (port in use, bad attribute) and carries on without it.
      if (https.getState() != LifecycleState.STARTED) {
        throw new IllegalStateException("the HTTPS connector did not start (state "
            + https.getState() + "); see Tomcat's log above");
      }
      if (shop.getState() != LifecycleState.STARTED) {
        throw new IllegalStateException("the shop did not deploy (state " + shop.getState()
            + "); see Tomcat's log above");
      }
    } catch (Exception | Error e) {
      started.stop();
      throw e;
    }
    AssociationRegistry r = ((TomcatTetherProtocol) https.getProtocolHandler()).registry();
    started.registry = r;
    // Requests carry it (the valve sets it); the context attribute serves anything else.
    shop.getServletContext().setAttribute(TetherAttributes.REGISTRY, r);
    if (cluster != null) {
      cluster.start(r);
    }
    return started;
  }

  /**
   * Tomcat's FORM login returns to the page it saved in the session's notes, which stay on the node
   * that saved them: a login posted to another node lands on {@code /account} (a protected page)
   * instead of failing with 400. Runs once the context's configuration added the authenticator.
   */
  private static void landOnAccount(Context shop) {
    for (Valve v : shop.getPipeline().getValves()) {
      if (v instanceof FormAuthenticator form && form.getLandingPage() == null) {
        form.setLandingPage("/account");
      }
    }
  }

  private static void set(Connector connector, String attribute, String value) {
    if (!connector.setProperty(attribute, value)) {
      throw new IllegalStateException("the Tomcat connector has no attribute " + attribute);
    }
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public AssociationRegistry registry() {
    return registry;
  }

  @Override
  public void stop() throws Exception {
    try {
      tomcat.stop();
    } finally {
      tomcat.destroy();
    }
  }
}
