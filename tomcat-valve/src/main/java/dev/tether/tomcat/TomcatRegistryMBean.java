package dev.tether.tomcat;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.internal.AdapterSettings;
import dev.tether.internal.Setting;
import java.util.function.ToLongFunction;

/**
 * The JMX face of a {@link TomcatTetherProtocol}'s registry, described in this package's
 * {@code mbeans-descriptors.xml}: the connector's settings, read-only counts and the flush
 * operations. Registered by the
 * protocol as {@code <domain>:type=TetherRegistry,name="<registryName>",port=<port>}.
 *
 * <p>It reads the registry the connector has at the time of the call: while the connector is stopped
 * the counts are zero and flushes delete nothing. Thread-safe.
 *
 * <pre>{@code
 * mbeanServer.invoke(new ObjectName("Catalina:type=TetherRegistry,name=\"shop\",port=8443"),
 *     "flushAll", null, null);
 * }</pre>
 */
public final class TomcatRegistryMBean {
  private final TomcatTetherProtocol protocol;

  TomcatRegistryMBean(TomcatTetherProtocol protocol) {
    this.protocol = protocol;
  }

  // The connector's settings (dev.tether.internal.Setting, shared with Jetty), as checked at init:
  // durations in their canonical form (30s, 30m).

  /** Returns the registry's name. */
  public String getRegistryName() {
    return text(Setting.REGISTRY_NAME);
  }

  /** Returns the grace period of the built-in default policy, e.g. {@code 30s}. */
  public String getGrace() {
    return text(Setting.GRACE);
  }

  public long getMaxAssociations() {
    return number(Setting.MAX_ASSOCIATIONS);
  }

  public long getMaxAssociationsPerPeer() {
    return number(Setting.MAX_ASSOCIATIONS_PER_PEER);
  }

  public String getProvider() {
    return text(Setting.PROVIDER);
  }

  public boolean isRequireStatefulSessions() {
    return Boolean.parseBoolean(text(Setting.REQUIRE_STATEFUL_SESSIONS));
  }

  public boolean isRenegotiationAllowed() {
    return Boolean.parseBoolean(text(Setting.RENEGOTIATION_ALLOWED));
  }

  /** Returns the policy file's path, empty for the built-in default policy. */
  public String getPolicies() {
    return text(Setting.POLICIES);
  }

  public String getPeerBindingTtl() {
    return text(Setting.PEER_BINDING_TTL);
  }

  public long getMaxBoundPeers() {
    return number(Setting.MAX_BOUND_PEERS);
  }

  // Cluster settings, as the connector took them (a secret file's path, never the secret).

  public String getClusterUri() {
    AdapterSettings s = protocol.settings();
    return s == null ? "" : s.shown(Setting.CLUSTER_URI);
  }

  public String getClusterNode() {
    return text(Setting.CLUSTER_NODE);
  }

  public String getClusterSecretFile() {
    return text(Setting.CLUSTER_SECRET_FILE);
  }

  public String getClusterAckTimeout() {
    return text(Setting.CLUSTER_ACK_TIMEOUT);
  }

  public String getClusterHeartbeat() {
    return text(Setting.CLUSTER_HEARTBEAT);
  }

  public String getClusterStream() {
    return text(Setting.CLUSTER_STREAM);
  }

  public long getClusterMaxPending() {
    return number(Setting.CLUSTER_MAX_PENDING);
  }

  public long getClusterMaxLength() {
    return number(Setting.CLUSTER_MAX_LENGTH);
  }

  public boolean isClusterRequired() {
    return Boolean.parseBoolean(text(Setting.CLUSTER_REQUIRED));
  }

  public String getClusterAddress() {
    return text(Setting.CLUSTER_ADDRESS);
  }

  private String text(Setting setting) {
    AdapterSettings s = protocol.settings();
    return s == null ? setting.defaultText() : s.text(setting);
  }

  private long number(Setting setting) {
    AdapterSettings s = protocol.settings();
    return s == null ? Long.parseLong(setting.defaultText()) : s.number(setting);
  }

  /** Returns the number of client addresses bound to a user's policy now. */
  public long getBoundPeers() {
    AssociationRegistry r = protocol.registry();
    return r == null ? 0 : r.policies().boundPeers();
  }

  /** Returns whether the connector's registry is running. */
  public boolean isRunning() {
    return protocol.registry() != null;
  }

  public long getActive() {
    return stat(AssociationStats::active);
  }

  public long getIdle() {
    return stat(AssociationStats::idle);
  }

  public long getAssociations() {
    return stat(AssociationStats::associations);
  }

  public long getLeases() {
    return stat(AssociationStats::leases);
  }

  public long getAccepted() {
    return stat(AssociationStats::accepted);
  }

  public long getNegotiated() {
    return stat(AssociationStats::negotiated);
  }

  public long getReused() {
    return stat(AssociationStats::reused);
  }

  public long getReleased() {
    return stat(AssociationStats::released);
  }

  public long getDeleted() {
    return stat(AssociationStats::deleted);
  }

  public long getFlushed() {
    return stat(AssociationStats::flushed);
  }

  public long getRefused() {
    return stat(AssociationStats::refused);
  }

  public long getHandshakeFailures() {
    return stat(AssociationStats::handshakeFailures);
  }

  public long getClosedBeforeHandshake() {
    return stat(AssociationStats::closedBeforeHandshake);
  }

  /** Deletes the SA with this id; returns 1 if it existed, else 0. */
  public int flush(String id) {
    AssociationRegistry r = protocol.registry();
    return r == null ? 0 : r.flush(id, DeletionCause.MANUAL);
  }

  /** Deletes every SA of the client address; returns how many. */
  public int flushPeer(String peer) {
    AssociationRegistry r = protocol.registry();
    return r == null ? 0 : r.flushPeer(peer, DeletionCause.MANUAL);
  }

  /** Deletes every SA; returns how many. */
  public int flushAll() {
    AssociationRegistry r = protocol.registry();
    return r == null ? 0 : r.flushAll(DeletionCause.MANUAL);
  }

  /** Returns one line per live SA: id, peer, state, references, reuses, protocol, principals. */
  public String[] listAssociations() {
    AssociationRegistry r = protocol.registry();
    if (r == null) {
      return new String[0];
    }
    return r.associations().stream().map(TomcatRegistryMBean::line).toArray(String[]::new);
  }

  private static String line(SecurityAssociation sa) {
    return sa.id() + " " + sa.peer() + " " + sa.state() + " refs=" + sa.references() + " reuses="
        + sa.reuses() + " " + sa.protocol() + " " + sa.principals();
  }

  private long stat(ToLongFunction<AssociationStats> value) {
    AssociationRegistry r = protocol.registry();
    return r == null ? 0 : value.applyAsLong(r.stats());
  }
}
