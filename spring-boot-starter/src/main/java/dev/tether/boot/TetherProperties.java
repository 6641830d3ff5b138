package dev.tether.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Tether's settings in a Spring Boot application: {@code tether.*}. Each is one of the settings both
 * containers share ({@code dev.tether.internal.Setting}), named in kebab case ({@code grace},
 * {@code max-associations}, {@code cluster-uri}), with the same default and the same check: a value
 * the setting does not take stops the start, and the failure analysis names the property.
 *
 * <pre>{@code
 * server.ssl.bundle=web
 * tether.grace=30s
 * tether.policies=classpath:tether-policies.conf
 * }</pre>
 *
 * <p>Bound once at start-up; the registry is built from the values then.
 */
@ConfigurationProperties("tether")
public class TetherProperties {
  /**
   * Whether Tether follows the TLS connections of the embedded Tomcat or Jetty (when
   * server.ssl is enabled).
   */
  private boolean enabled = true;

  /** Name of the SA registry, in logs, JMX, the actuator and the meters' registry tag. */
  private String registryName = "default";

  /**
   * How long an SA stays resumable after its last connection closed; 0 deletes it at the last
   * close. The grace of the built-in default policy: with a policy file, each policy's own grace
   * applies.
   */
  private Duration grace = Duration.ofSeconds(30);

  /** Most SAs held; past it an idle SA makes room or the handshake fails. */
  private int maxAssociations = 100000;

  /** Most SAs held for one client IP address; past it the handshake fails. */
  private int maxAssociationsPerPeer = 1000;

  /**
   * TLS provider: jdk (the JDK's), or bcjsse (Bouncy Castle's BCJSSE, whose jars the application
   * adds).
   */
  private String provider = "jdk";

  /**
   * Whether a JDK TLS server with stateless session tickets stops the start (true) or only logs a
   * WARN (false). Tether needs -Djdk.tls.server.enableSessionTicketExtension=false.
   */
  private boolean requireStatefulSessions = true;

  /**
   * Whether a client may renegotiate a TLS 1.2 connection; a renegotiated session would escape its
   * SA.
   */
  private boolean renegotiationAllowed = false;

  /**
   * Policy file: a path (relative to the working directory), file:PATH or classpath:PATH. Empty:
   * the built-in default policy. Read at start.
   */
  private String policies = "";

  /**
   * How long a login binds the client address to the user's policy (its new connections negotiate
   * under it), unless a logout ends it first.
   */
  private Duration peerBindingTtl = Duration.ofMinutes(30);

  /** Most client addresses bound at once; the oldest bindings go first. */
  private long maxBoundPeers = 100000;

  /**
   * Redis of the nodes' cluster (redis://HOST:PORT, rediss://USER:PASSWORD@HOST:PORT): flushes of
   * peers and of all SAs, and peer bindings, reach every node; needs tether-cluster-redis. Empty:
   * the node is alone.
   */
  private String clusterUri = "";

  /** This node's name, unique in the cluster; required with cluster-uri. */
  private String clusterNode = "";

  /**
   * File of the secret every node signs and checks events with (HMAC-SHA256, 16 bytes or more),
   * relative to the working directory; required with cluster-uri.
   */
  private String clusterSecretFile = "";

  /**
   * How long a login's flush waits for every live node to apply it (0 to 10s); past it the response
   * goes and the miss is counted and logged. 0: never wait.
   */
  private Duration clusterAckTimeout = Duration.ofMillis(50);

  /**
   * How often the node announces itself (10ms to 1m); a node silent for three periods is not waited
   * for.
   */
  private Duration clusterHeartbeat = Duration.ofSeconds(1);

  /** Prefix of the cluster's Redis keys (stream PREFIX:events); one prefix, one cluster. */
  private String clusterStream = "tether";

  /**
   * Events kept while Redis is unreachable, sent on reconnection; past it the other nodes see the
   * gap and flush their own SAs.
   */
  private int clusterMaxPending = 10000;

  /**
   * Entries the stream keeps for nodes that were away (100 or more); a node further behind flushes
   * its own SAs.
   */
  private long clusterMaxLength = 100000;

  /**
   * Whether an unreachable Redis stops the start (true) or the node serves alone and retries
   * (false).
   */
  private boolean clusterRequired = false;

  /** What the node announces as its address in the cluster view. */
  private String clusterAddress = "";

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getRegistryName() {
    return registryName;
  }

  public void setRegistryName(String registryName) {
    this.registryName = registryName;
  }

  public Duration getGrace() {
    return grace;
  }

  public void setGrace(Duration grace) {
    this.grace = grace;
  }

  public int getMaxAssociations() {
    return maxAssociations;
  }

  public void setMaxAssociations(int maxAssociations) {
    this.maxAssociations = maxAssociations;
  }

  public int getMaxAssociationsPerPeer() {
    return maxAssociationsPerPeer;
  }

  public void setMaxAssociationsPerPeer(int maxAssociationsPerPeer) {
    this.maxAssociationsPerPeer = maxAssociationsPerPeer;
  }

  public String getProvider() {
    return provider;
  }

  public void setProvider(String provider) {
    this.provider = provider;
  }

  public boolean isRequireStatefulSessions() {
    return requireStatefulSessions;
  }

  public void setRequireStatefulSessions(boolean requireStatefulSessions) {
    this.requireStatefulSessions = requireStatefulSessions;
  }

  public boolean isRenegotiationAllowed() {
    return renegotiationAllowed;
  }

  public void setRenegotiationAllowed(boolean renegotiationAllowed) {
    this.renegotiationAllowed = renegotiationAllowed;
  }

  public String getPolicies() {
    return policies;
  }

  public void setPolicies(String policies) {
    this.policies = policies;
  }

  public Duration getPeerBindingTtl() {
    return peerBindingTtl;
  }

  public void setPeerBindingTtl(Duration peerBindingTtl) {
    this.peerBindingTtl = peerBindingTtl;
  }

  public long getMaxBoundPeers() {
    return maxBoundPeers;
  }

  public void setMaxBoundPeers(long maxBoundPeers) {
    this.maxBoundPeers = maxBoundPeers;
  }

  public String getClusterUri() {
    return clusterUri;
  }

  public void setClusterUri(String clusterUri) {
    this.clusterUri = clusterUri;
  }

  public String getClusterNode() {
    return clusterNode;
  }

  public void setClusterNode(String clusterNode) {
    this.clusterNode = clusterNode;
  }

  public String getClusterSecretFile() {
    return clusterSecretFile;
  }

  public void setClusterSecretFile(String clusterSecretFile) {
    this.clusterSecretFile = clusterSecretFile;
  }

  public Duration getClusterAckTimeout() {
    return clusterAckTimeout;
  }

  public void setClusterAckTimeout(Duration clusterAckTimeout) {
    this.clusterAckTimeout = clusterAckTimeout;
  }

  public Duration getClusterHeartbeat() {
    return clusterHeartbeat;
  }

  public void setClusterHeartbeat(Duration clusterHeartbeat) {
    this.clusterHeartbeat = clusterHeartbeat;
  }

  public String getClusterStream() {
    return clusterStream;
  }

  public void setClusterStream(String clusterStream) {
    this.clusterStream = clusterStream;
  }

  public int getClusterMaxPending() {
    return clusterMaxPending;
  }

  public void setClusterMaxPending(int clusterMaxPending) {
    this.clusterMaxPending = clusterMaxPending;
  }

  public long getClusterMaxLength() {
    return clusterMaxLength;
  }

  public void setClusterMaxLength(long clusterMaxLength) {
    this.clusterMaxLength = clusterMaxLength;
  }

  public boolean isClusterRequired() {
    return clusterRequired;
  }

  public void setClusterRequired(boolean clusterRequired) {
    this.clusterRequired = clusterRequired;
  }

  public String getClusterAddress() {
    return clusterAddress;
  }

  public void setClusterAddress(String clusterAddress) {
    this.clusterAddress = clusterAddress;
  }
}
