package dev.tether.tomcat;

import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.RegistryBuilder;
import dev.tether.internal.AdapterSettings;
import dev.tether.internal.Durations;
import dev.tether.internal.Setting;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;
import dev.tether.tls.TlsProvider;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.management.ObjectName;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.modeler.Registry;
import org.apache.tomcat.util.net.jsse.JSSEImplementation;

/**
 * Tomcat's HTTP/1.1 NIO connector protocol with Tether: every TLS connection it accepts holds a lease
 * on a security association (SA) from the connector's own {@link AssociationRegistry}, acquired when
 * its handshake completes and released when the socket closes, for any reason.
 *
 * <pre>{@code
 * <Connector protocol="dev.tether.tomcat.TomcatTetherProtocol" port="8443" SSLEnabled="true"
 *            grace="30s" registryName="shop" policies="conf/tether-policies.conf">
 *   <SSLHostConfig> <Certificate certificateKeystoreFile="conf/shop.p12" ... /> </SSLHostConfig>
 * </Connector>
 * }</pre>
 *
 * <p>Embedded: {@code new Connector(TomcatTetherProtocol.class.getName())}, then
 * {@code connector.setProperty("grace", "0")}. Tether's attributes are text, as in server.xml,
 * and are checked when the connector initializes: a wrong value fails the connector with a message
 * naming the attribute and the value. They are the settings of {@link Setting}, shared with Jetty. The registry lives from {@link #start()} to {@link #stop()}; its
 * counters and flush operations are in JMX as {@code <domain>:type=TetherRegistry,...}.
 *
 * <p>Threading: configured and started by Tomcat's lifecycle thread; the connection events run on the
 * endpoint's poller and worker threads.
 */
public class TomcatTetherProtocol extends Http11NioProtocol {
  private static final Log LOG = LogFactory.getLog(TomcatTetherProtocol.class);

  private final TetherEndpoint tetherEndpoint;
  /** Tether's attributes as server.xml gave them (text), checked in {@link #init()}. */
  private final Map<Setting, String> attributes = new EnumMap<>(Setting.class);
  /** An attribute set under the name it had before it was renamed; the connector refuses to start. */
  private String renamed;

  private volatile AdapterSettings settings;
  private volatile PolicySet policySet;
  private volatile AssociationRegistry registry;
  /** A registry its owner built and closes ({@link #useRegistry}), with the settings it was built from. */
  private AssociationRegistry givenRegistry;
  private AdapterSettings givenSettings;
  private ObjectName jmxName;
  /** Lets tests inject time and threads into the registry; the identity in production. */
  UnaryOperator<RegistryBuilder> registryCustomizer = UnaryOperator.identity();

  /** Creates the protocol with its Tether endpoint; Tomcat calls this for {@code protocol="..."}. */
  public TomcatTetherProtocol() {
    this(new TetherEndpoint());
  }

  private TomcatTetherProtocol(TetherEndpoint endpoint) {
    super(endpoint);
    this.tetherEndpoint = endpoint;
  }

  // ---------------------------------------------------------------------------------------------
  // Attributes: text, as server.xml gives them, checked in init()

  private String attribute(Setting setting) {
    return attributes.getOrDefault(setting, setting.defaultText());
  }

  /** Returns the registry's name; see {@link #setRegistryName}. */
  public String getRegistryName() {
    return givenRegistry != null ? givenRegistry.name() : attribute(Setting.REGISTRY_NAME);
  }

  /** Sets the registry's name, shown in logs and JMX and matched by the valve. Default {@code default}. */
  public void setRegistryName(String registryName) {
    attributes.put(Setting.REGISTRY_NAME, registryName);
  }

  /** Returns the grace period as given; see {@link #setGrace}. */
  public String getGrace() {
    return attribute(Setting.GRACE);
  }

  /**
   * Sets how long an SA stays resumable after its last connection closed: a duration ({@code 30s},
   * {@code 500ms}, {@code PT30S}) or plain milliseconds ({@code 30000}). {@code 0} deletes it at once.
   * Default {@code 30s}. It is the grace of the built-in default policy: with a
   * {@link #setPolicies policy file} each policy's own grace applies.
   */
  public void setGrace(String grace) {
    attributes.put(Setting.GRACE, grace);
  }

  /** The attribute's former name: the connector does not start and says what it is called now. */
  public void setGracePeriod(String value) {
    renamed = "gracePeriod=\"" + value + "\" was renamed grace";
  }

  /** Returns the most SAs the connector holds; see {@link #setMaxAssociations}. */
  public String getMaxAssociations() {
    return attribute(Setting.MAX_ASSOCIATIONS);
  }

  /** Sets the most SAs the connector holds; past it handshakes are refused. Default {@code 100000}. */
  public void setMaxAssociations(String maxAssociations) {
    attributes.put(Setting.MAX_ASSOCIATIONS, maxAssociations);
  }

  /** Returns the most SAs per client address; see {@link #setMaxAssociationsPerPeer}. */
  public String getMaxAssociationsPerPeer() {
    return attribute(Setting.MAX_ASSOCIATIONS_PER_PEER);
  }

  /** Sets the most SAs one client address holds. Default {@code 1000}. */
  public void setMaxAssociationsPerPeer(String maxAssociationsPerPeer) {
    attributes.put(Setting.MAX_ASSOCIATIONS_PER_PEER, maxAssociationsPerPeer);
  }

  /** Returns the TLS provider; see {@link #setProvider}. */
  public String getProvider() {
    return attribute(Setting.PROVIDER);
  }

  /**
   * Sets the JSSE provider of the connector's TLS: {@code jdk} (default) or {@code bcjsse}, which
   * switches the connector to {@link TomcatBcJsseImplementation} and needs Bouncy Castle's jars in
   * Tomcat's {@code lib} (see {@link TlsProvider}).
   */
  public void setProvider(String provider) {
    attributes.put(Setting.PROVIDER, provider);
  }

  /** Returns whether a stateless JDK session cache stops the connector; see the setter. */
  public String getRequireStatefulSessions() {
    return attribute(Setting.REQUIRE_STATEFUL_SESSIONS);
  }

  /**
   * Sets what happens when the JDK would resume sessions from stateless tickets, which deleting an SA
   * cannot stop: {@code true} (default) fails the connector, {@code false} logs a warning.
   */
  public void setRequireStatefulSessions(String requireStatefulSessions) {
    attributes.put(Setting.REQUIRE_STATEFUL_SESSIONS, requireStatefulSessions);
  }

  /** Returns whether clients may renegotiate TLS 1.2; see the setter. */
  public String getRenegotiationAllowed() {
    return attribute(Setting.RENEGOTIATION_ALLOWED);
  }

  /**
   * Sets whether a client may renegotiate a TLS 1.2 connection. Default {@code false}: the connection
   * is closed, since a renegotiated session would escape its SA; after the JDK's fatal alert when the
   * JVM runs with {@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}, else without an alert
   * (the connector's start then logs a WARN naming the property).
   */
  public void setRenegotiationAllowed(String renegotiationAllowed) {
    attributes.put(Setting.RENEGOTIATION_ALLOWED, renegotiationAllowed);
  }

  /** The attribute's former name: the connector does not start and says what it is called now. */
  public void setAllowRenegotiation(String value) {
    renamed = "allowRenegotiation=\"" + value + "\" was renamed renegotiationAllowed";
  }

  /** Returns the policy file's path; see {@link #setPolicies}. */
  public String getPolicies() {
    return attribute(Setting.POLICIES);
  }

  /**
   * Sets the path of the policy file (format: see the README, "Policies"), relative to
   * {@code catalina.base} unless absolute; empty (default) uses the built-in default policy with
   * {@link #setGrace grace}. Read when the connector initializes; a file
   * that cannot be read or is invalid fails the connector, naming the file's line.
   */
  public void setPolicies(String policies) {
    attributes.put(Setting.POLICIES, policies);
  }

  /** Returns how long a login binds its peer, as given; see {@link #setPeerBindingTtl}. */
  public String getPeerBindingTtl() {
    return attribute(Setting.PEER_BINDING_TTL);
  }

  /**
   * Sets how long the client address of a login stays bound to the user's policy (its new connections
   * negotiate under it) unless a logout ends it first: a duration or milliseconds. Default {@code 30m}.
   */
  public void setPeerBindingTtl(String peerBindingTtl) {
    attributes.put(Setting.PEER_BINDING_TTL, peerBindingTtl);
  }

  /** Returns the most peers bound at once; see {@link #setMaxBoundPeers}. */
  public String getMaxBoundPeers() {
    return attribute(Setting.MAX_BOUND_PEERS);
  }

  /** Sets the most client addresses bound to a user's policy at once. Default {@code 100000}. */
  public void setMaxBoundPeers(String maxBoundPeers) {
    attributes.put(Setting.MAX_BOUND_PEERS, maxBoundPeers);
  }

  // Cluster settings (README, "Running several nodes"): with clusterUri the connector's registry
  // joins the nodes' cluster through tether-cluster-redis, which the server must hold in lib/.

  /** Returns the {@code clusterUri} attribute as given. */
  public String getClusterUri() {
    return attribute(Setting.CLUSTER_URI);
  }

  /** Sets the {@code clusterUri} attribute: where the cluster's Redis is (redis://HOST:PORT, rediss://...); empty: the node is alone. */
  public void setClusterUri(String value) {
    attributes.put(Setting.CLUSTER_URI, value);
  }

  /** Returns the {@code clusterNode} attribute as given. */
  public String getClusterNode() {
    return attribute(Setting.CLUSTER_NODE);
  }

  /** Sets the {@code clusterNode} attribute: this node's name in the cluster. */
  public void setClusterNode(String value) {
    attributes.put(Setting.CLUSTER_NODE, value);
  }

  /** Returns the {@code clusterSecretFile} attribute as given. */
  public String getClusterSecretFile() {
    return attribute(Setting.CLUSTER_SECRET_FILE);
  }

  /** Sets the {@code clusterSecretFile} attribute: file of the cluster's shared secret. */
  public void setClusterSecretFile(String value) {
    attributes.put(Setting.CLUSTER_SECRET_FILE, value);
  }

  /** Returns the {@code clusterAckTimeout} attribute as given. */
  public String getClusterAckTimeout() {
    return attribute(Setting.CLUSTER_ACK_TIMEOUT);
  }

  /** Sets the {@code clusterAckTimeout} attribute: how long a flush waits for the other nodes (50ms, ...). */
  public void setClusterAckTimeout(String value) {
    attributes.put(Setting.CLUSTER_ACK_TIMEOUT, value);
  }

  /** Returns the {@code clusterHeartbeat} attribute as given. */
  public String getClusterHeartbeat() {
    return attribute(Setting.CLUSTER_HEARTBEAT);
  }

  /** Sets the {@code clusterHeartbeat} attribute: how often the node announces itself (1s, ...). */
  public void setClusterHeartbeat(String value) {
    attributes.put(Setting.CLUSTER_HEARTBEAT, value);
  }

  /** Returns the {@code clusterStream} attribute as given. */
  public String getClusterStream() {
    return attribute(Setting.CLUSTER_STREAM);
  }

  /** Sets the {@code clusterStream} attribute: prefix of the cluster's Redis keys. */
  public void setClusterStream(String value) {
    attributes.put(Setting.CLUSTER_STREAM, value);
  }

  /** Returns the {@code clusterMaxPending} attribute as given. */
  public String getClusterMaxPending() {
    return attribute(Setting.CLUSTER_MAX_PENDING);
  }

  /** Sets the {@code clusterMaxPending} attribute: events kept while Redis is unreachable. */
  public void setClusterMaxPending(String value) {
    attributes.put(Setting.CLUSTER_MAX_PENDING, value);
  }

  /** Returns the {@code clusterMaxLength} attribute as given. */
  public String getClusterMaxLength() {
    return attribute(Setting.CLUSTER_MAX_LENGTH);
  }

  /** Sets the {@code clusterMaxLength} attribute: entries the cluster's stream keeps. */
  public void setClusterMaxLength(String value) {
    attributes.put(Setting.CLUSTER_MAX_LENGTH, value);
  }

  /** Returns the {@code clusterRequired} attribute as given. */
  public String getClusterRequired() {
    return attribute(Setting.CLUSTER_REQUIRED);
  }

  /** Sets the {@code clusterRequired} attribute: whether an unreachable Redis stops the start. */
  public void setClusterRequired(String value) {
    attributes.put(Setting.CLUSTER_REQUIRED, value);
  }

  /** Returns the {@code clusterAddress} attribute as given. */
  public String getClusterAddress() {
    return attribute(Setting.CLUSTER_ADDRESS);
  }

  /** Sets the {@code clusterAddress} attribute: what the node announces as its address. */
  public void setClusterAddress(String value) {
    attributes.put(Setting.CLUSTER_ADDRESS, value);
  }

  /** Returns the checked settings once the connector initialized, else {@code null}. */
  AdapterSettings settings() {
    return settings;
  }

  /** Returns the connector's registry while it runs, else {@code null}. */
  public AssociationRegistry registry() {
    return registry;
  }

  /**
   * Serves the connector's connections from {@code registry}, which its owner built from
   * {@code settings} and closes, instead of building one from the attributes: an application that
   * shares one registry among the connector and its own parts (Tether's Spring Boot starter). The
   * connector takes its TLS settings ({@code provider}, {@code requireStatefulSessions},
   * {@code renegotiationAllowed}) from {@code settings} as well, and JMX shows them. Call it before
   * the connector initializes; a connector given a registry refuses Tether attributes of its own.
   *
   * @param settings the checked settings the registry was built from, named as its owner's users
   *     write them
   * @throws IllegalArgumentException if the registry's name is not {@code settings}' registry name
   */
  public void useRegistry(AssociationRegistry registry, AdapterSettings settings) {
    if (!registry.name().equals(settings.registryName())) {
      throw new IllegalArgumentException("the registry '" + registry.name() + "' was not built"
          + " from these settings (registryName " + settings.registryName() + ")");
    }
    givenRegistry = registry;
    givenSettings = settings;
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  @Override
  public void init() throws Exception {
    if (renamed != null) {
      throw new IllegalArgumentException("Tether connector attribute " + renamed);
    }
    AdapterSettings s;
    if (givenRegistry != null) {
      if (!attributes.isEmpty()) {
        throw new IllegalArgumentException("Tether connector attributes " + attributes.keySet()
            .stream().map(Setting::key).toList() + " are set, but the connector was given the"
            + " registry '" + givenRegistry.name() + "': configure its owner instead");
      }
      s = givenSettings;
    } else {
      s = new AdapterSettings(
          (key, value) -> "Tether connector attribute " + key + "=\"" + value + "\"");
      attributes.forEach(s::set);
      String base = System.getProperty("catalina.base");
      // Read now, so that a bad file fails the connector's init, as Tomcat's own files do.
      policySet = s.policySet(base == null ? null : Path.of(base));
      // The cluster's settings too: made here only to be checked, it is made again at each start.
      s.cluster(base == null ? null : Path.of(base));
    }
    if (!isSSLEnabled()) {
      LOG.warn("Tether connector protocol without SSLEnabled=\"true\": it tracks TLS connections only");
    }
    StatefulSessions.check(s.provider(), s.flag(Setting.REQUIRE_STATEFUL_SESSIONS),
        Setting.REQUIRE_STATEFUL_SESSIONS.key());
    ClientRenegotiation.check(s.provider(), s.flag(Setting.RENEGOTIATION_ALLOWED),
        Setting.RENEGOTIATION_ALLOWED.key());
    configureImplementation(s.provider());
    settings = s;
    super.init();
    jmxName = jmxObjectName();
    if (jmxName != null) {
      Registry.getRegistry(null).registerComponent(new TomcatRegistryMBean(this), jmxName, null);
    }
  }

  private void configureImplementation(TlsProvider tls) {
    String configured = getSslImplementationName();
    String bc = TomcatBcJsseImplementation.class.getName();
    if (tls == TlsProvider.BCJSSE) {
      if (configured != null && !configured.equals(bc)) {
        throw new IllegalArgumentException("Tether connector attribute provider=\""
            + tls.settingValue() + "\" needs sslImplementationName=\"" + bc + "\" (or none), not \""
            + configured + "\"");
      }
      tls.install("Tether connector attribute provider");
      setSslImplementationName(bc);
    } else if (configured != null && !configured.equals(JSSEImplementation.class.getName())) {
      LOG.warn("Tether is tested with JSSE only; sslImplementationName=\"" + configured
          + "\" may not keep sessions in a form Tether can delete");
    }
  }

  @Override
  public void start() throws Exception {
    AssociationRegistry r;
    if (givenRegistry != null) {
      if (givenRegistry.isClosed()) {
        throw new IllegalStateException("the registry '" + givenRegistry.name() + "' given to the"
            + " Tether connector is closed");
      }
      r = givenRegistry;
    } else {
      String base = System.getProperty("catalina.base");
      r = registryCustomizer.apply(
          settings.registryBuilder(policySet, base == null ? null : Path.of(base))).build();
    }
    registry = r;
    tetherEndpoint.configure(r, settings.flag(Setting.RENEGOTIATION_ALLOWED));
    try {
      super.start();
    } catch (Exception | Error e) {
      closeRegistry();
      throw e;
    }
    LOG.info("Tether tracks TLS connections on [" + getName() + "]: registry '" + r.name()
        + "', policies=" + r.policies().policies() + ", anonymous grace="
        + Durations.format(r.defaultPolicy().grace()) + ", maxAssociations="
        + r.maxAssociations() + ", maxAssociationsPerPeer=" + r.maxAssociationsPerPeer()
        + ", provider=" + settings.provider().settingValue());
  }

  @Override
  public void stop() throws Exception {
    try {
      super.stop();
    } finally {
      // Tomcat closed the sockets, releasing their leases; what is left is idle and goes now.
      closeRegistry();
    }
  }

  @Override
  public void destroy() throws Exception {
    try {
      super.destroy();
    } finally {
      if (jmxName != null) {
        Registry.getRegistry(null).unregisterComponent(jmxName);
        jmxName = null;
      }
    }
  }

  /** The registry's JMX name: the protocol handler's, with type TetherRegistry and the registry's name. */
  private ObjectName jmxObjectName() throws Exception {
    ObjectName protocolName = getObjectName();
    if (protocolName == null) {
      return null;
    }
    StringBuilder name = new StringBuilder(protocolName.getDomain())
        .append(":type=TetherRegistry,name=").append(ObjectName.quote(settings.registryName()));
    protocolName.getKeyPropertyList().forEach((k, v) -> {
      if (!k.equals("type")) {
        name.append(',').append(k).append('=').append(v);
      }
    });
    return new ObjectName(name.toString());
  }

  private void closeRegistry() {
    AssociationRegistry r = registry;
    tetherEndpoint.configure(null, false);
    registry = null;
    if (r != null && r != givenRegistry) {
      r.close();
    }
  }
}
