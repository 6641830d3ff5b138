package dev.tether.cluster.redis;

import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.certificates.TomcatTls;
import dev.tether.jetty.JettyTether;
import dev.tether.tomcat.TomcatTetherProtocol;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A real Jetty or Tomcat node on a loopback port 0 with Tether and a {@link RedisCluster}: GET
 * {@code /login?user=U&role=R} logs U in from the client's address (the registry's login, as the
 * adapters' login detection calls it), {@code /logout?user=U&role=R} logs out, anything else answers
 * {@code ok} and the peer's policy; {@code /cluster} tells the node's cluster view in one line. The
 * Tomcat node also serves {@link dev.tether.servlet.AssociationServlet} under {@code /tether/}.
 */
final class NodeServer implements AutoCloseable {
  static final String PASSWORD = "changeit";
  /** One certificate for the test's JVM and the nodes it starts as processes (same directory). */
  static final SelfSignedCertificate CERT;

  static {
    try {
      CERT = SelfSignedCertificate.loadOrCreate(Path.of("target", "tether-cluster-nodes.p12"),
          PASSWORD.toCharArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private final AutoCloseable stop;
  final int port;
  final AssociationRegistry registry;
  final String name;

  private NodeServer(String name, int port, AssociationRegistry registry, AutoCloseable stop) {
    this.name = name;
    this.port = port;
    this.registry = registry;
    this.stop = stop;
  }

  static Path pem() throws IOException {
    Path file = Files.createTempFile("tether-cluster-ca", ".pem");
    return CERT.writePem(file);
  }

  static NodeServer jetty(String node, String uri, UnaryOperator<RedisClusterBuilder> custom)
      throws Exception {
    Server server = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(CERT.keyStore());
    ssl.setKeyStorePassword(PASSWORD);
    ServerConnector https = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
        new HttpConnectionFactory(new HttpConfiguration()));
    https.setHost("127.0.0.1");
    server.addConnector(https);
    AssociationRegistry registry = AssociationRegistry.builder().name("shop")
        .policies(PolicySet.parse(ClusterNodes.POLICIES, "test"))
        .cluster(custom.apply(ClusterNodes.builder(uri, node)).build())
        .build();
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        String answer = answer(registry, Request.getRemoteAddr(request),
            request.getHttpURI().getPath(), Request.extractQueryParameters(request).getValue("user"),
            Request.extractQueryParameters(request).getValue("role"));
        response.write(true, BufferUtil.toBuffer(answer), callback);
        return true;
      }
    });
    JettyTether.addToAllConnectors(server, registry);
    server.start();
    return new NodeServer(node, https.getLocalPort(), registry, () -> {
      server.stop();
      registry.close();
    });
  }

  /**
   * A Tomcat node configured the way server.xml does it: the cluster and the policies are connector
   * attributes.
   */
  static NodeServer tomcat(String node, String uri, java.time.Duration ackTimeout)
      throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tether-cluster-tomcat").toString());
    Connector https = new Connector(TomcatTetherProtocol.class.getName());
    https.setPort(0);
    https.setSecure(true);
    https.setScheme("https");
    https.setProperty("SSLEnabled", "true");
    https.setProperty("address", "127.0.0.1");
    https.setProperty("registryName", "shop");
    https.addSslHostConfig(TomcatTls.hostConfig(CERT, null));
    https.setProperty("policies", file("tether-cluster-policies.conf",
        ClusterNodes.POLICIES.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
    https.setProperty("clusterUri", uri);
    https.setProperty("clusterNode", node);
    https.setProperty("clusterSecretFile", file("tether-cluster.secret", ClusterNodes.SECRET)
        .toString());
    https.setProperty("clusterAckTimeout", ackTimeout.toMillis() + "ms");
    https.setProperty("clusterHeartbeat", "100ms");
    https.setProperty("clusterAddress", "127.0.0.1");
    tomcat.getService().addConnector(https);
    Context app = tomcat.addContext("", null);
    Tomcat.addServlet(app, "node", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AssociationRegistry registry = ((TomcatTetherProtocol) https.getProtocolHandler()).registry();
        resp.getWriter().write(answer(registry, req.getRemoteAddr(), req.getRequestURI(),
            req.getParameter("user"), req.getParameter("role")));
      }
    });
    app.addServletMappingDecoded("/*", "node");
    Tomcat.addServlet(app, "tether", new dev.tether.servlet.AssociationServlet());
    app.addServletMappingDecoded("/tether/*", "tether");
    tomcat.start();
    AssociationRegistry registry = ((TomcatTetherProtocol) https.getProtocolHandler()).registry();
    app.getServletContext().setAttribute(dev.tether.servlet.TetherAttributes.REGISTRY, registry);
    return new NodeServer(node, https.getLocalPort(), registry, () -> {
      tomcat.stop();
      tomcat.destroy();
    });
  }

  /** Writes a file under target/ (shared by the test's JVM and the nodes it starts). */
  static Path file(String name, byte[] content) throws IOException {
    Path file = Path.of("target", name).toAbsolutePath();
    Files.write(file, content);
    return file;
  }

  static String answer(AssociationRegistry registry, String peer, String path, String user,
      String role) {
    if (path.endsWith("/login")) {
      registry.policies().login(peer, null, user, role::equals);
      return "logged in " + user;
    }
    if (path.endsWith("/logout")) {
      registry.policies().logout(peer, null, user, role::equals);
      return "logged out " + user;
    }
    if (path.endsWith("/cluster")) {
      var v = registry.cluster().view();
      return "node=" + v.node() + " live=" + v.liveNodes() + " degraded=" + v.degraded()
          + " resyncs=" + v.resyncs() + " misses=" + v.ackMisses() + " rejected=" + v.rejected()
          // The connection asking holds a lease of its own.
          + " otherLeases=" + (registry.stats().leases() - 1) + " balance="
          + (registry.stats().negotiated() + registry.stats().staleResumptions()
              - registry.stats().deleted() - registry.stats().associations()) + " .";
    }
    return "ok " + registry.policyFor(peer).name();
  }

  @Override
  public void close() throws Exception {
    stop.close();
  }

  @Override
  public String toString() {
    return name;
  }
}
