package dev.tether.jetty;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.PolicySet;
import dev.tether.SaPolicy;
import dev.tether.internal.AdapterSettings;
import dev.tether.internal.Durations;
import dev.tether.internal.Setting;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;
import dev.tether.tls.TlsConnection;
import dev.tether.tls.TlsProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToLongFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.annotation.ManagedOperation;
import org.eclipse.jetty.util.annotation.Name;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.component.Dumpable;
import org.eclipse.jetty.util.component.DumpableCollection;
import org.eclipse.jetty.util.ssl.X509;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tether on Jetty 12: gives every TLS connection of its connectors a security association (SA) whose
 * life follows the sockets that use it. A resumed connection reuses its SA, a full handshake creates
 * one, and when the last connection of an SA closes the SA is deleted at once or after a grace period.
 *
 * <p>Add it to the {@link Server} as a bean, for all TLS connectors or for chosen ones. It either owns
 * its {@link AssociationRegistry}, built at start from the settings below and closed at stop, or is
 * given one, which its owner configures and closes.
 *
 * <pre>{@code
 * JettyTether tether = JettyTether.addToAllConnectors(server);   // owns its registry
 * tether.setGrace("30s");
 * // or, with a registry the application shares:
 * JettyTether.addToAllConnectors(server, registry);
 * server.start();
 * }</pre>
 *
 * <p>In a Jetty distribution, {@code java -jar start.jar --add-modules=tether} enables it with every
 * setting as a {@code jetty.tether.*} property. Settings take effect at the next start; a wrong value
 * fails the setter or the start with a message naming the setting (as its {@code jetty.tether.*}
 * property) and the value. Durations are written {@code 30s}, {@code 500ms}, {@code PT30S} or in plain
 * milliseconds; the settings are those of {@link dev.tether.internal.Setting}, shared with Tomcat.
 *
 * <p>At start it checks that the JDK's TLS server keeps sessions statefully (see
 * {@link StatefulSessions}) and refuses to start, or warns, as {@link #setRequireStatefulSessions}
 * says. It configures the {@code SslContextFactory} of its connectors for the chosen provider and, unless
 * {@link #setRenegotiationAllowed} says otherwise, refuses client-initiated TLS 1.2 renegotiation, which
 * could change a connection's session under its lease: with the JDK's fatal alert when the JVM runs
 * with {@code -Djdk.tls.rejectClientInitiatedRenegotiation=true} (the {@code tether} module's
 * {@code [exec]} line sets it), otherwise by Jetty closing the connection, with a WARN (see
 * {@link ClientRenegotiation}).
 *
 * <p>With a {@link #setPolicies policy file}, new connections negotiate under the policy of the
 * client address's last login (see {@link dev.tether.PolicyEngine}); logins reach the policy engine
 * through {@link JettyTetherLoginService} wrapping the web application's realm and
 * {@code dev.tether.servlet.TetherLoginFilter} in the web application. Every request of a tracked
 * connection carries the {@code dev.tether.servlet.TetherAttributes}.
 *
 * <p>Concurrency: settings and lifecycle follow Jetty's conventions (configure, then start); the
 * counters, flushes and dump are thread-safe and may be called at any time.
 */
@ManagedObject("Tether: security associations of TLS connections")
public class JettyTether extends AbstractLifeCycle implements Dumpable {
  /** The prefix of the settings' property names in a Jetty distribution. */
  public static final String PROPERTY_PREFIX = "jetty.tether.";

  private static final Logger LOG = LoggerFactory.getLogger(JettyTether.class);

  private final Server server;
  private final List<Connector> connectors;
  private final AssociationRegistry givenRegistry;
  private final AdapterSettings settings =
      new AdapterSettings((key, value) -> PROPERTY_PREFIX + key + "=" + value);
  private String connectorNames = "";

  private volatile AssociationRegistry registry;
  private volatile ConnectionTracker tracker;
  private volatile boolean statefulSessions;
  private volatile List<Connector> attached = List.of();
  /** The factories the tracker is a bean of, while started. */
  private volatile List<SslConnectionFactory> trackedFactories = List.of();

  /** A bean for every TLS connector of {@code server}, owning a registry made from the settings. */
  public JettyTether(@Name("server") Server server) {
    this(null, Objects.requireNonNull(server, "server"), List.of());
  }

  /** A bean for these TLS connectors, owning a registry made from the settings. */
  public JettyTether(@Name("connectors") Connector... connectors) {
    this(null, null, List.of(connectors));
  }

  /** A bean for every TLS connector of {@code server}, using a registry its owner configures. */
  public JettyTether(@Name("registry") AssociationRegistry registry, @Name("server") Server server) {
    this(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(server, "server"),
        List.of());
  }

  /** A bean for these TLS connectors, using a registry its owner configures. */
  public JettyTether(@Name("registry") AssociationRegistry registry,
      @Name("connectors") Connector... connectors) {
    this(Objects.requireNonNull(registry, "registry"), null, List.of(connectors));
  }

  private JettyTether(AssociationRegistry registry, Server server, List<Connector> connectors) {
    if (server == null && connectors.isEmpty()) {
      throw new IllegalArgumentException("JettyTether needs a server or at least one connector");
    }
    this.givenRegistry = registry;
    this.server = server;
    this.connectors = connectors;
  }

  /**
   * Creates a bean for every TLS connector of {@code server}, owning its registry, and adds it to the
   * server; set its settings before the server starts.
   */
  public static JettyTether addToAllConnectors(Server server) {
    JettyTether tether = new JettyTether(server);
    server.addBean(tether);
    return tether;
  }

  /** Creates a bean for every TLS connector of {@code server} using {@code registry}, adds it, returns it. */
  public static JettyTether addToAllConnectors(Server server, AssociationRegistry registry) {
    JettyTether tether = new JettyTether(registry, server);
    server.addBean(tether);
    return tether;
  }

  /** Creates a bean for one TLS connector using {@code registry} and adds it to the connector's server. */
  public static JettyTether addToConnector(Connector connector, AssociationRegistry registry) {
    JettyTether tether = new JettyTether(registry, connector);
    connector.getServer().addBean(tether);
    return tether;
  }

  @Override
  protected void doStart() throws Exception {
    TlsProvider provider = settings.provider();
    List<TlsConnectors.Target> targets = TlsConnectors.resolve(server, connectors, connectorNames);
    TlsConnectors.checkProvider(targets, provider);
    if (givenRegistry != null) {
      for (Setting s : settings.explicit()) {
        if (s.ofRegistry()) {
          throw new IllegalStateException(PROPERTY_PREFIX + s.key() + " is set, but JettyTether was"
              + " given the registry '" + givenRegistry.name() + "': configure that registry instead");
        }
      }
    }
    if (givenRegistry != null && givenRegistry.isClosed()) {
      throw new IllegalStateException("the registry '" + givenRegistry.name() + "' given to"
          + " JettyTether is closed");
    }
    statefulSessions = StatefulSessions.check(provider,
        settings.flag(Setting.REQUIRE_STATEFUL_SESSIONS),
        PROPERTY_PREFIX + Setting.REQUIRE_STATEFUL_SESSIONS.key());
    boolean renegotiationAllowed = settings.flag(Setting.RENEGOTIATION_ALLOWED);
    boolean providerRefuses = ClientRenegotiation.check(provider, renegotiationAllowed,
        PROPERTY_PREFIX + Setting.RENEGOTIATION_ALLOWED.key());

    PolicySet policySet = givenRegistry != null ? null : settings.policySet(baseDirectory());
    TlsConnectors.configure(targets, provider, renegotiationAllowed, providerRefuses,
        givenRegistry != null ? givenRegistry.defaultPolicy().grace()
            : settings.longestGrace(policySet));
    AssociationRegistry r = givenRegistry != null ? givenRegistry
        : settings.registryBuilder(policySet, baseDirectory()).build();
    ConnectionTracker t = new ConnectionTracker(this, r);
    List<Connector> on = new ArrayList<>();
    List<SslConnectionFactory> factories = new ArrayList<>();
    for (TlsConnectors.Target target : targets) {
      // Unmanaged: the factory must not stop it. Jetty adds it to each TLS connection it makes.
      target.sslConnectionFactory().addBean(t, false);
      TlsConnectors.addCustomizer(target.connector(), t.attributes());
      on.add(target.connector());
      factories.add(target.sslConnectionFactory());
    }
    registry = r;
    tracker = t;
    attached = List.copyOf(on);
    trackedFactories = List.copyOf(factories);
    LOG.info("Tether started on {} with registry '{}' (provider={}, policies={}, anonymous grace={},"
        + " stateful sessions={}, protocols={})", TlsConnectors.names(attached), r.name(),
        provider.settingValue(), r.policies().policies(), Durations.format(r.defaultPolicy().grace()),
        statefulSessions, TlsConnectors.httpProtocols(attached));
  }

  /** The directory a relative policy file is read from: the jetty-base of a distribution. */
  private static Path baseDirectory() {
    String base = System.getProperty("jetty.base");
    return base == null ? null : Path.of(base);
  }

  @Override
  protected void doStop() throws Exception {
    ConnectionTracker t = tracker;
    tracker = null;
    if (t == null) {
      return; // the start failed before attaching anything
    }
    // Connections opened already keep their own reference to the tracker and report their close.
    for (SslConnectionFactory f : trackedFactories) {
      f.removeBean(t);
    }
    for (Connector c : attached) {
      TlsConnectors.removeCustomizer(c, t.attributes());
    }
    attached = List.of();
    trackedFactories = List.of();
    AssociationRegistry r = registry;
    if (givenRegistry == null && r != null) {
      r.close();
    }
    LOG.info("Tether stopped with registry '{}'", r.name());
  }

  /**
   * Prepares a new connection's TLS engine: the hook through which policies choose protocols, cipher
   * suites and client authentication per peer. Called once per TLS connection when it opens, before
   * the engine reads its first byte, on a Jetty selector thread; it must not block. The default calls
   * {@link TlsConnection#prepare}, which narrows the engine to {@code connection.policy()} and follows
   * the handshake so that a new SA is tagged before any session ticket leaves; it also leaves Jetty's
   * own value ({@link SecureRequestCustomizer#X509_ATTRIBUTE}) in the new session during the
   * handshake, since a value put after a TLS 1.3 handshake makes the JDK send a late ticket. An
   * exception closes the connection.
   *
   * @param engine the connection's server engine, already configured by its {@code SslContextFactory}
   * @param connection the connection: its peer, and the policy its SA is acquired under
   */
  protected void negotiate(SSLEngine engine, TlsConnection connection) {
    connection.prepare(engine, JettyTether::decorate);
  }

  /** Leaves in a new TLS session what Jetty's {@link SecureRequestCustomizer} would add later. */
  private static void decorate(SSLSession session) {
    Certificate[] local = session.getLocalCertificates();
    if (local != null && local.length > 0 && local[0] instanceof X509Certificate cert
        && session.getValue(SecureRequestCustomizer.X509_ATTRIBUTE) == null) {
      session.putValue(SecureRequestCustomizer.X509_ATTRIBUTE, x509Of(cert));
    }
  }

  /** Jetty's view of a server certificate, and the certificate it was made from. */
  private record ServerCertificate(X509Certificate certificate, X509 x509) {}

  /**
   * The last server certificate a session was decorated with. A server presents the same
   * certificate object in every session (its key manager's), and Jetty's {@link X509} is immutable,
   * so one is shared by all, as {@code SslContextFactory} shares its own: parsing the certificate's
   * names for every full handshake cost about 0.2 % of a Jetty server's CPU.
   */
  private static volatile ServerCertificate lastCertificate;

  static X509 x509Of(X509Certificate cert) {
    ServerCertificate last = lastCertificate;
    if (last == null || last.certificate() != cert) {
      last = new ServerCertificate(cert, new X509(null, cert));
      lastCertificate = last;
    }
    return last.x509();
  }

  // ---------------------------------------------------------------------------------------------
  // Settings: the ones both adapters share (dev.tether.internal.Setting), with the values they take
  // as text (as start properties give them), and the typed setters Jetty XML has always used.

  @ManagedAttribute(value = "Name of the SA registry, in logs and JMX", readonly = true)
  public String getRegistryName() {
    AssociationRegistry r = registry;
    return r != null ? r.name() : settings.registryName();
  }

  /** Sets the name of the owned registry: letters, digits, '.', '_', '-'. Default {@code default}. */
  public void setRegistryName(String name) {
    settings.set(Setting.REGISTRY_NAME, name);
  }

  @ManagedAttribute(value = "Grace period of an idle SA (30s, 500ms, ...)", readonly = true)
  public String getGrace() {
    AssociationRegistry r = registry;
    return r != null ? Durations.format(r.defaultPolicy().grace()) : settings.text(Setting.GRACE);
  }

  /**
   * Sets the grace period: how long an SA stays resumable after its last connection closed, as a
   * duration ({@code 30s}, {@code 500ms}, {@code PT30S}) or plain milliseconds ({@code 30000}).
   * {@code 0} deletes it when its last connection closes. Default {@code 30s}. It is the grace of
   * the built-in default policy: with a {@link #setPolicies policy file} each policy's own grace
   * applies.
   */
  public void setGrace(String grace) {
    settings.set(Setting.GRACE, grace);
  }

  /** Sets the grace period in milliseconds; see {@link #setGrace(String)}. */
  public void setGrace(long millis) {
    setGrace(Long.toString(millis));
  }

  @ManagedAttribute(value = "Most SAs held", readonly = true)
  public long getMaxAssociations() {
    AssociationRegistry r = registry;
    return r != null ? r.maxAssociations() : settings.number(Setting.MAX_ASSOCIATIONS);
  }

  /**
   * Sets the most SAs the owned registry holds; past it an idle SA makes room or the handshake fails.
   * Default 100000.
   */
  public void setMaxAssociations(long max) {
    settings.set(Setting.MAX_ASSOCIATIONS, Long.toString(max));
  }

  @ManagedAttribute(value = "Most SAs held per client address", readonly = true)
  public long getMaxAssociationsPerPeer() {
    AssociationRegistry r = registry;
    return r != null ? r.maxAssociationsPerPeer() : settings.number(Setting.MAX_ASSOCIATIONS_PER_PEER);
  }

  /** Sets the most SAs one client IP address holds in the owned registry. Default 1000. */
  public void setMaxAssociationsPerPeer(int max) {
    settings.set(Setting.MAX_ASSOCIATIONS_PER_PEER, Integer.toString(max));
  }

  @ManagedAttribute(value = "Policy file (empty: the built-in default policy)", readonly = true)
  public String getPolicies() {
    return settings.text(Setting.POLICIES);
  }

  /**
   * Sets the path of the policy file of the owned registry (format: see the README, "Policies"),
   * relative to {@code jetty.base} unless absolute; empty (default) uses the built-in default policy
   * with {@link #setGrace grace}. The file is read when the bean starts; a file that cannot be read
   * or is invalid stops the start with a message naming this setting and the file's line.
   */
  public void setPolicies(String path) {
    settings.set(Setting.POLICIES, path);
  }

  @ManagedAttribute(value = "How long a login binds its client address to the user's policy",
      readonly = true)
  public String getPeerBindingTtl() {
    return settings.text(Setting.PEER_BINDING_TTL);
  }

  /**
   * Sets how long the client address of a login stays bound to the user's policy (its new
   * connections negotiate under it) unless a logout unbinds it first: a duration ({@code 30m}) or
   * milliseconds. Default {@code 30m}.
   */
  public void setPeerBindingTtl(String ttl) {
    settings.set(Setting.PEER_BINDING_TTL, ttl);
  }

  /** Sets the peer binding's lifetime in milliseconds; see {@link #setPeerBindingTtl(String)}. */
  public void setPeerBindingTtl(long millis) {
    setPeerBindingTtl(Long.toString(millis));
  }

  @ManagedAttribute(value = "Most client addresses bound to a policy at once", readonly = true)
  public long getMaxBoundPeers() {
    return settings.number(Setting.MAX_BOUND_PEERS);
  }

  /** Sets the most peers bound to a user's policy at once; the oldest bindings go first. Default 100000. */
  public void setMaxBoundPeers(long max) {
    settings.set(Setting.MAX_BOUND_PEERS, Long.toString(max));
  }

  @ManagedAttribute(value = "Peers bound to a user's policy now", readonly = true)
  public long getBoundPeers() {
    AssociationRegistry r = registry;
    return r == null ? 0 : r.policies().boundPeers();
  }

  @ManagedAttribute(value = "TLS provider (jdk or bcjsse)", readonly = true)
  public String getProvider() {
    return settings.text(Setting.PROVIDER);
  }

  /**
   * Sets the TLS provider of the connectors: {@code jdk} (default) or {@code bcjsse} (Bouncy Castle,
   * whose jars the server must hold: see {@link TlsProvider}; installed and set on the connectors'
   * {@code SslContextFactory} at start, with PKIX key and trust managers). With {@code bcjsse} only
   * TLS 1.2 resumes; every TLS 1.3 connection is its own SA.
   */
  public void setProvider(String provider) {
    settings.set(Setting.PROVIDER, provider);
  }

  @ManagedAttribute(value = "Whether stateless TLS sessions stop the start", readonly = true)
  public boolean isRequireStatefulSessions() {
    return settings.flag(Setting.REQUIRE_STATEFUL_SESSIONS);
  }

  /**
   * Sets whether the start fails (default) or only warns when the JDK TLS server uses stateless
   * session tickets, under which deleted SAs could still be resumed.
   */
  public void setRequireStatefulSessions(boolean require) {
    settings.set(Setting.REQUIRE_STATEFUL_SESSIONS, Boolean.toString(require));
  }

  @ManagedAttribute(value = "Whether clients may renegotiate TLS 1.2", readonly = true)
  public boolean isRenegotiationAllowed() {
    return settings.flag(Setting.RENEGOTIATION_ALLOWED);
  }

  /**
   * Sets whether to leave TLS 1.2 renegotiation as the connectors' {@code SslContextFactory} has it.
   * Default false: client-initiated renegotiation is refused, by the JDK with a fatal alert when the
   * JVM runs with {@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}, otherwise by Jetty
   * closing the connection (the start then logs a WARN naming the property).
   */
  public void setRenegotiationAllowed(boolean allowed) {
    settings.set(Setting.RENEGOTIATION_ALLOWED, Boolean.toString(allowed));
  }

  // Cluster settings (README, "Running several nodes"): with clusterUri the owned registry joins the
  // nodes' cluster through tether-cluster-redis, whose jars the server must hold.

  @ManagedAttribute(value = "Where the cluster's Redis is (empty: the node is alone)", readonly = true)
  public String getClusterUri() {
    return settings.shown(Setting.CLUSTER_URI);
  }

  /** Sets {@code clusterUri}; see the README's settings table. */
  public void setClusterUri(String value) {
    settings.set(Setting.CLUSTER_URI, value);
  }

  @ManagedAttribute(value = "This node's name in the cluster", readonly = true)
  public String getClusterNode() {
    return settings.shown(Setting.CLUSTER_NODE);
  }

  /** Sets {@code clusterNode}; see the README's settings table. */
  public void setClusterNode(String value) {
    settings.set(Setting.CLUSTER_NODE, value);
  }

  @ManagedAttribute(value = "File of the cluster's shared secret", readonly = true)
  public String getClusterSecretFile() {
    return settings.shown(Setting.CLUSTER_SECRET_FILE);
  }

  /** Sets {@code clusterSecretFile}; see the README's settings table. */
  public void setClusterSecretFile(String value) {
    settings.set(Setting.CLUSTER_SECRET_FILE, value);
  }

  @ManagedAttribute(value = "How long a flush waits for the other nodes (50ms, ...)", readonly = true)
  public String getClusterAckTimeout() {
    return settings.shown(Setting.CLUSTER_ACK_TIMEOUT);
  }

  /** Sets {@code clusterAckTimeout}; see the README's settings table. */
  public void setClusterAckTimeout(String value) {
    settings.set(Setting.CLUSTER_ACK_TIMEOUT, value);
  }

  @ManagedAttribute(value = "How often the node announces itself (1s, ...)", readonly = true)
  public String getClusterHeartbeat() {
    return settings.shown(Setting.CLUSTER_HEARTBEAT);
  }

  /** Sets {@code clusterHeartbeat}; see the README's settings table. */
  public void setClusterHeartbeat(String value) {
    settings.set(Setting.CLUSTER_HEARTBEAT, value);
  }

  @ManagedAttribute(value = "Prefix of the cluster's Redis keys", readonly = true)
  public String getClusterStream() {
    return settings.shown(Setting.CLUSTER_STREAM);
  }

  /** Sets {@code clusterStream}; see the README's settings table. */
  public void setClusterStream(String value) {
    settings.set(Setting.CLUSTER_STREAM, value);
  }

  @ManagedAttribute(value = "Events kept while Redis is unreachable", readonly = true)
  public long getClusterMaxPending() {
    return settings.number(Setting.CLUSTER_MAX_PENDING);
  }

  /** Sets {@code clusterMaxPending}; see the README's settings table. */
  public void setClusterMaxPending(long value) {
    settings.set(Setting.CLUSTER_MAX_PENDING, Long.toString(value));
  }

  @ManagedAttribute(value = "Entries the cluster's stream keeps", readonly = true)
  public long getClusterMaxLength() {
    return settings.number(Setting.CLUSTER_MAX_LENGTH);
  }

  /** Sets {@code clusterMaxLength}; see the README's settings table. */
  public void setClusterMaxLength(long value) {
    settings.set(Setting.CLUSTER_MAX_LENGTH, Long.toString(value));
  }

  @ManagedAttribute(value = "Whether an unreachable Redis stops the start", readonly = true)
  public boolean isClusterRequired() {
    return settings.flag(Setting.CLUSTER_REQUIRED);
  }

  /** Sets {@code clusterRequired}; see the README's settings table. */
  public void setClusterRequired(boolean value) {
    settings.set(Setting.CLUSTER_REQUIRED, Boolean.toString(value));
  }

  @ManagedAttribute(value = "What the node announces as its address", readonly = true)
  public String getClusterAddress() {
    return settings.shown(Setting.CLUSTER_ADDRESS);
  }

  /** Sets {@code clusterAddress}; see the README's settings table. */
  public void setClusterAddress(String value) {
    settings.set(Setting.CLUSTER_ADDRESS, value);
  }

  @ManagedAttribute(value = "Connectors attached to (names; empty: all TLS connectors)", readonly = true)
  public String getConnectorNames() {
    return connectorNames;
  }

  /**
   * Narrows the connectors to those with these names ({@code Connector.getName()}, comma-separated).
   * Default empty: every TLS connector. A name that matches no TLS connector fails the start. A
   * Jetty setting only: a Tomcat connector is configured where it is declared.
   */
  public void setConnectorNames(String names) {
    connectorNames = names == null ? "" : names.trim();
  }

  /** Returns the registry in use, or {@code null} before the first start. */
  public AssociationRegistry registry() {
    return registry;
  }

  /** Returns the connectors the bean is attached to while started. */
  public List<Connector> connectors() {
    return attached;
  }

  @ManagedAttribute(value = "Whether TLS sessions are stateful (checked at start)", readonly = true)
  public boolean isStatefulSessions() {
    return statefulSessions;
  }

  @ManagedAttribute(value = "TLS connections open and followed", readonly = true)
  public int getTlsConnections() {
    ConnectionTracker t = tracker;
    return t == null ? 0 : t.size();
  }

  @ManagedAttribute(value = "SAs used by at least one connection", readonly = true)
  public long getActive() {
    return stat(AssociationStats::active);
  }

  @ManagedAttribute(value = "SAs waiting out their grace period", readonly = true)
  public long getIdle() {
    return stat(AssociationStats::idle);
  }

  @ManagedAttribute(value = "Open leases: connections holding an SA", readonly = true)
  public long getLeases() {
    return stat(AssociationStats::leases);
  }

  @ManagedAttribute(value = "TLS connections accepted", readonly = true)
  public long getAccepted() {
    return stat(AssociationStats::accepted);
  }

  @ManagedAttribute(value = "SAs created by a full handshake", readonly = true)
  public long getNegotiated() {
    return stat(AssociationStats::negotiated);
  }

  @ManagedAttribute(value = "Connections that resumed an SA", readonly = true)
  public long getReused() {
    return stat(AssociationStats::reused);
  }

  @ManagedAttribute(value = "SAs deleted, any cause", readonly = true)
  public long getDeleted() {
    return stat(AssociationStats::deleted);
  }

  @ManagedAttribute(value = "SAs flushed on demand", readonly = true)
  public long getFlushed() {
    return stat(AssociationStats::flushed);
  }

  @ManagedAttribute(value = "Handshakes refused an SA", readonly = true)
  public long getRefused() {
    return stat(AssociationStats::refused);
  }

  @ManagedAttribute(value = "Handshakes that failed", readonly = true)
  public long getHandshakeFailures() {
    return stat(AssociationStats::handshakeFailures);
  }

  @ManagedAttribute(value = "Connections closed before their handshake completed", readonly = true)
  public long getClosedBeforeHandshake() {
    return stat(AssociationStats::closedBeforeHandshake);
  }

  /** Deletes the SA with this id; returns 1 if it existed, else 0. */
  @ManagedOperation(value = "Delete one SA by id", impact = "ACTION")
  public int flush(@Name("id") String id) {
    AssociationRegistry r = registry;
    return r == null ? 0 : r.flush(id, DeletionCause.MANUAL);
  }

  /** Deletes every SA of a client IP address; returns how many. */
  @ManagedOperation(value = "Delete every SA of a peer", impact = "ACTION")
  public int flushPeer(@Name("peer") String peer) {
    AssociationRegistry r = registry;
    return r == null ? 0 : r.flushPeer(peer, DeletionCause.MANUAL);
  }

  /** Deletes every SA; returns how many. */
  @ManagedOperation(value = "Delete every SA", impact = "ACTION")
  public int flushAll() {
    AssociationRegistry r = registry;
    return r == null ? 0 : r.flushAll(DeletionCause.MANUAL);
  }

  private long stat(ToLongFunction<AssociationStats> f) {
    AssociationRegistry r = registry;
    return r == null ? 0 : f.applyAsLong(r.stats());
  }

  @Override
  public void dump(Appendable out, String indent) throws IOException {
    Dumpable.dumpObjects(out, indent, this,
        new DumpableCollection("connectors", TlsConnectors.names(attached)),
        new AssociationTable(registry));
  }

  @Override
  public String toString() {
    AssociationRegistry r = registry;
    AssociationStats s = r == null ? null : r.stats();
    return String.format(Locale.ROOT, "%s@%x{%s,registry=%s,provider=%s,active=%d,idle=%d,leases=%d}",
        getClass().getSimpleName(), hashCode(), getState(), getRegistryName(),
        getProvider(), s == null ? 0 : s.active(), s == null ? 0 : s.idle(),
        s == null ? 0 : s.leases());
  }
}
