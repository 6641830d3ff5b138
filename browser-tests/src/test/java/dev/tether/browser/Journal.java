package dev.tether.browser;

import dev.tether.AssociationListener;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything the shop's registry reported, in order: the server's side of what the browsers did.
 * Each test reads the entries of its own browser's peer address.
 *
 * <p>Thread-safe: the registry calls it from the containers' I/O threads.
 */
final class Journal implements AssociationListener {
  enum Kind { NEGOTIATED, REUSED, RELEASED, DELETED, REFUSED }

  /** One event; {@code sa} is null for a refusal, {@code cause} set for a deletion. */
  record Entry(Kind kind, String peer, SecurityAssociation sa, DeletionCause cause,
      RefusalReason reason) {
    String id() {
      return sa == null ? null : sa.id();
    }
  }

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  @Override
  public void onNegotiated(SecurityAssociation sa) {
    entries.add(new Entry(Kind.NEGOTIATED, sa.peer(), sa, null, null));
  }

  @Override
  public void onReused(SecurityAssociation sa) {
    entries.add(new Entry(Kind.REUSED, sa.peer(), sa, null, null));
  }

  @Override
  public void onReleased(SecurityAssociation sa) {
    entries.add(new Entry(Kind.RELEASED, sa.peer(), sa, null, null));
  }

  @Override
  public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
    entries.add(new Entry(Kind.DELETED, sa.peer(), sa, cause, null));
  }

  @Override
  public void onRefused(String peer, RefusalReason reason) {
    entries.add(new Entry(Kind.REFUSED, peer, null, null, reason));
  }

  /** Returns how many entries there are so far: a mark to read what follows with {@link #since}. */
  int mark() {
    return entries.size();
  }

  /** Returns the peer's entries from {@code mark} on. */
  List<Entry> since(int mark, String peer) {
    return entries.subList(mark, entries.size()).stream()
        .filter(e -> e.peer().equals(peer)).toList();
  }

  /** Returns all of the peer's entries. */
  List<Entry> of(String peer) {
    return since(0, peer);
  }

  /** Returns the peer's entries of one kind. */
  List<Entry> of(String peer, Kind kind) {
    return of(peer).stream().filter(e -> e.kind() == kind).toList();
  }

  /** Returns the cause of the SA's deletion, or {@code null} while it lives. */
  DeletionCause deletion(String id) {
    return entries.stream().filter(e -> e.kind() == Kind.DELETED && e.id().equals(id))
        .map(Entry::cause).findFirst().orElse(null);
  }

  /** Returns the peer's open leases: handshakes that got an SA minus connections that released it. */
  long openLeases(String peer) {
    return of(peer).stream().mapToLong(e -> switch (e.kind()) {
      case NEGOTIATED, REUSED -> 1;
      case RELEASED -> -1;
      default -> 0;
    }).sum();
  }
}
