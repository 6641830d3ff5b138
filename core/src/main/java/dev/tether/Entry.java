package dev.tether;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The registry's record of one SA: what it was negotiated with, for whom, and when, immutable and
 * replaced as a whole inside one atomic map operation ({@code compute}) when a principal is added,
 * so a reader always sees a consistent entry. What changes with every connection (the lease count,
 * the reuses, the last use, the TLS sessions) lives in the SA's {@link SessionTag}, shared by every
 * copy of the entry and by the SA's TLS sessions.
 *
 * <p>Memory: this record and its tag are all Tether keeps per SA besides the map node (whose key is
 * the tag itself, a {@link SaKey}), the idle queue's slot and the per-peer count; see
 * docs/BENCHMARKS.md for the bytes.
 */
record Entry(
    Object peerKey,
    Terms terms,
    Set<String> principals,
    long createdNanos,
    boolean resumable,
    SessionTag tag) {

  /** The most principals recorded per SA. */
  static final int MAX_PRINCIPALS = 8;

  /**
   * What an SA was negotiated with. Few distinct values exist (protocols x suites x policies), so the
   * registry shares one instance per value among its entries.
   */
  record Terms(String protocol, String cipherSuite, SaPolicy policy) {}

  /**
   * A new SA's entry for the peer of {@code peerKey} ({@link Peers#key}); its tag is started
   * ({@link SessionTag#start}) when the SA is created.
   */
  static Entry create(Object peerKey, Terms terms, long now, boolean resumable, SessionTag tag) {
    return new Entry(peerKey, terms, Set.of(), now, resumable, tag);
  }

  /** The peer's address as text. */
  String peer() {
    return Peers.text(peerKey);
  }

  String protocol() {
    return terms.protocol();
  }

  String cipherSuite() {
    return terms.cipherSuite();
  }

  SaPolicy policy() {
    return terms.policy();
  }

  /** Returns this entry with the principal recorded, or this entry if it is known or there is no room. */
  Entry withPrincipal(String principal) {
    if (principals.contains(principal) || principals.size() >= MAX_PRINCIPALS) {
      return this;
    }
    Set<String> names = new LinkedHashSet<>(principals);
    names.add(principal);
    return new Entry(peerKey, terms, Collections.unmodifiableSet(names), createdNanos, resumable,
        tag);
  }

  /** Whether no connection holds the SA, at this instant. */
  boolean isIdle() {
    return tag.references() == 0;
  }

  int references() {
    return tag.references();
  }

  int reuses() {
    return tag.reuses();
  }

  long lastUsedNanos() {
    return tag.lastUsedNanos();
  }

  /** Returns when the SA went idle: its last use, since nothing but a release makes it idle. */
  long idleSinceNanos() {
    return tag.lastUsedNanos();
  }

  boolean pastMaxAge(long now) {
    return policy().hasMaxAge() && now - createdNanos >= IdleQueue.nanos(policy().maxAge());
  }

  /** Calls {@code action} with each session this SA has seen. */
  void forEachSession(Consumer<javax.net.ssl.SSLSession> action) {
    tag.forEachSession(action);
  }
}
