package dev.tether.reliability;

import dev.tether.AssociationDriver;
import dev.tether.AssociationListener;
import dev.tether.RegistryBuilder;
import dev.tether.SaPolicy;
import dev.tether.SaPolicy.FlushScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What a {@link Container} is started with: the registry's settings, faults to inject and the
 * connector's idle timeout. Both containers read the same setup, so a scenario runs alike in each.
 *
 * <p>Mutable and fluent; built by one test thread before the container starts.
 */
final class Setup {
  Duration grace = Duration.ofMillis(500);
  long maxAssociations = 10_000;
  int maxAssociationsPerPeer = 1_000;
  Duration refusalLogInterval = Duration.ofSeconds(60);
  /** Logins and logouts flush every SA of the peer, in both containers. */
  SaPolicy policy = SaPolicy.builder("reliability").appliesTo("anonymous")
      .onLogin(FlushScope.PEER).onLogout(FlushScope.PEER).build();
  long maxBoundPeers = RegistryBuilder.DEFAULT_MAX_BINDINGS;
  UnaryOperator<AssociationDriver> driver = UnaryOperator.identity();
  final List<AssociationListener> listeners = new ArrayList<>();
  /** Jetty's idle timeout; Tomcat's connection and keep-alive timeouts. */
  int idleTimeoutMillis = 30_000;

  Setup grace(Duration grace) {
    this.grace = grace;
    return this;
  }

  Setup maxAssociations(long max) {
    this.maxAssociations = max;
    return this;
  }

  Setup maxAssociationsPerPeer(int max) {
    this.maxAssociationsPerPeer = max;
    return this;
  }

  Setup refusalLogInterval(Duration interval) {
    this.refusalLogInterval = interval;
    return this;
  }

  /** Sets the policy of every SA (anonymous traffic and logins alike). */
  Setup policy(SaPolicy policy) {
    this.policy = policy;
    return this;
  }

  Setup maxBoundPeers(long max) {
    this.maxBoundPeers = max;
    return this;
  }

  /** Wraps the JSSE driver, e.g. to make its deletes fail. */
  Setup driver(UnaryOperator<AssociationDriver> wrapper) {
    this.driver = wrapper;
    return this;
  }

  Setup listener(AssociationListener listener) {
    listeners.add(listener);
    return this;
  }

  Setup idleTimeout(int millis) {
    this.idleTimeoutMillis = millis;
    return this;
  }

  /**
   * Applies what the containers' own settings cannot express (driver, listeners, policy, log
   * interval, peer bindings) to a registry builder; the bounds and grace are applied by
   * {@link #applyAll} or by the container's attributes.
   */
  RegistryBuilder applyExtras(RegistryBuilder b) {
    b.defaultPolicy(policy)
        .refusalLogInterval(refusalLogInterval)
        .peerBinding(RegistryBuilder.DEFAULT_BINDING_TTL, maxBoundPeers)
        .driver(driver.apply(AssociationDriver.jsse()));
    listeners.forEach(b::listener);
    return b;
  }

  /** Applies every setting to a registry builder. */
  RegistryBuilder applyAll(RegistryBuilder b) {
    return applyExtras(b.grace(grace).maxAssociations(maxAssociations)
        .maxAssociationsPerPeer(maxAssociationsPerPeer));
  }
}
