package dev.tether;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;

/**
 * The registry's record of one SA: immutable, replaced as a whole inside one atomic map operation
 * ({@code compute}) whenever it changes, so a reader always sees a consistent entry.
 *
 * <p>Memory: this record is all Tether keeps per SA besides the map node, its key (which doubles as
 * the tag in the session) and the per-peer count; see docs/BENCHMARKS.md for the bytes.
 * {@code sessions} holds a single {@link SSLSession} (the common case, and always TLS 1.2) or, once a
 * TLS 1.3 lineage has produced several session objects, an array of them; it keeps the first session
 * and the most recent ones up to {@link #MAX_SESSIONS}. {@code tag} is the one mutable part, shared by
 * every copy and by the SA's TLS sessions (see {@link SessionTag}).
 */
record Entry(
    String peer,
    Terms terms,
    Set<String> principals,
    long createdNanos,
    long lastUsedNanos,
    int references,
    int reuses,
    Object sessions,
    boolean resumable,
    SessionTag tag) {

  /** The most sessions kept per SA; invalidating the first one ends every ticket derived from it. */
  static final int MAX_SESSIONS = 8;

  /** The most principals recorded per SA. */
  static final int MAX_PRINCIPALS = 8;

  /**
   * What an SA was negotiated with. Few distinct values exist (protocols x suites x policies), so the
   * registry shares one instance per value among its entries.
   */
  record Terms(String protocol, String cipherSuite, SaPolicy policy) {}

  static Entry create(String peer, Terms terms, SSLSession session, long now, boolean resumable,
      SessionTag tag) {
    return new Entry(peer, terms, Set.of(), now, now, 1, 0, session, resumable, tag);
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

  /** Returns this entry with one more connection, which resumed it with {@code session}. */
  Entry retain(long now, SSLSession session) {
    return new Entry(peer, terms, principals, createdNanos, now,
        references + 1, reuses + 1, withSession(session), resumable, tag);
  }

  /** Returns this entry with one connection fewer; idle from {@code now} if that was the last. */
  Entry release(long now) {
    return new Entry(peer, terms, principals, createdNanos, now,
        references - 1, reuses, sessions, resumable, tag);
  }

  /** Returns this entry with the principal recorded, or this entry if it is known or there is no room. */
  Entry withPrincipal(String principal) {
    if (principals.contains(principal) || principals.size() >= MAX_PRINCIPALS) {
      return this;
    }
    Set<String> names = new LinkedHashSet<>(principals);
    names.add(principal);
    return new Entry(peer, terms, Collections.unmodifiableSet(names), createdNanos,
        lastUsedNanos, references, reuses, sessions, resumable, tag);
  }

  boolean isIdle() {
    return references == 0;
  }

  /** Returns when the SA went idle: its last use, since nothing but a release makes it idle. */
  long idleSinceNanos() {
    return lastUsedNanos;
  }

  boolean pastMaxAge(long now) {
    return policy().hasMaxAge() && now - createdNanos >= EntryExpiry.nanos(policy().maxAge());
  }

  /** Calls {@code action} with each session this SA has seen. */
  void forEachSession(Consumer<SSLSession> action) {
    if (sessions instanceof SSLSession s) {
      action.accept(s);
    } else {
      for (SSLSession s : (SSLSession[]) sessions) {
        action.accept(s);
      }
    }
  }

  private Object withSession(SSLSession session) {
    if (sessions == session) {
      return sessions;
    }
    if (sessions instanceof SSLSession first) {
      return new SSLSession[] {first, session};
    }
    SSLSession[] known = (SSLSession[]) sessions;
    for (SSLSession s : known) {
      if (s == session) {
        return sessions;
      }
    }
    SSLSession[] grown;
    if (known.length < MAX_SESSIONS) {
      grown = Arrays.copyOf(known, known.length + 1);
    } else {
      // Keep the first session of the lineage; drop the oldest of the others.
      grown = known.clone();
      System.arraycopy(known, 2, grown, 1, known.length - 2);
    }
    grown[grown.length - 1] = session;
    return grown;
  }
}
