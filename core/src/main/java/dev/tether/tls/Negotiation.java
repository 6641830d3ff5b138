package dev.tether.tls;

import dev.tether.SaPolicy;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Applies a policy's negotiation parameters to the TLS engine of a new connection: the SA negotiator
 * of the patent, steered by policy. Containers call it where they create a server {@link SSLEngine},
 * usually through {@link TlsConnection#prepare}.
 *
 * <p>The policy narrows what the container allows and never widens it: protocols and cipher suites are
 * intersected with those the engine already enables. An empty intersection leaves the engine with
 * nothing to negotiate, so the handshake fails; {@link #check} finds that at start-up instead.
 */
public final class Negotiation {
  private Negotiation() {}

  /** Narrows the engine's protocols and cipher suites to the policy's and sets its client auth. */
  public static void apply(SSLEngine engine, SaPolicy policy) {
    if (!narrows(policy)) {
      // Nothing to narrow: copying the engine's parameters out and back costs microseconds per
      // connection (the engine rebuilds its algorithm constraints), for no change.
      return;
    }
    SSLParameters params = engine.getSSLParameters();
    narrow(params, policy);
    engine.setSSLParameters(params);
  }

  /** Returns whether the policy changes an engine's parameters at all. */
  static boolean narrows(SaPolicy policy) {
    return !policy.protocols().isEmpty() || !policy.cipherSuites().isEmpty()
        || policy.clientAuth() != SaPolicy.ClientAuth.NONE;
  }

  /**
   * Narrows an engine's parameters to the policy's. The protocols and cipher suites the policy keeps
   * go back null, which the engine reads as "unchanged": it then skips validating its own lists
   * again (about 1.5 µs a connection with the JDK's default suites).
   */
  static void narrow(SSLParameters params, SaPolicy policy) {
    params.setProtocols(policy.protocols().isEmpty() ? null
        : intersect(params.getProtocols(), policy.protocols()));
    params.setCipherSuites(policy.cipherSuites().isEmpty() ? null
        : intersect(params.getCipherSuites(), policy.cipherSuites()));
    switch (policy.clientAuth()) {
      case NEED -> params.setNeedClientAuth(true);
      case WANT -> params.setWantClientAuth(true);
      case NONE -> { } // leave the container's own setting
    }
  }

  /**
   * Checks that the policy leaves the engine something to negotiate.
   *
   * @throws IllegalArgumentException naming the policy and what is missing
   */
  public static void check(SSLEngine engine, SaPolicy policy) {
    if (!policy.protocols().isEmpty()
        && intersect(engine.getEnabledProtocols(), policy.protocols()).length == 0) {
      throw new IllegalArgumentException("policy '" + policy.name() + "': none of its protocols "
          + policy.protocols() + " is enabled on the connector " + Arrays.toString(
          engine.getEnabledProtocols()));
    }
    if (!policy.cipherSuites().isEmpty()
        && intersect(engine.getEnabledCipherSuites(), policy.cipherSuites()).length == 0) {
      throw new IllegalArgumentException("policy '" + policy.name() + "': none of its cipher suites "
          + policy.cipherSuites() + " is enabled on the connector");
    }
  }

  private static String[] intersect(String[] enabled, List<String> wanted) {
    Set<String> keep = new LinkedHashSet<>(Arrays.asList(enabled));
    keep.retainAll(Set.copyOf(wanted));
    return keep.toArray(String[]::new);
  }
}
