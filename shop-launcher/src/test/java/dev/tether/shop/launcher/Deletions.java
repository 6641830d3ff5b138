package dev.tether.shop.launcher;

import dev.tether.AssociationListener;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Remembers how each SA of a registry was deleted, with its view at deletion. */
final class Deletions implements AssociationListener {
  record Deletion(SecurityAssociation sa, DeletionCause cause) {}

  private final Map<String, Deletion> byId = new ConcurrentHashMap<>();

  @Override
  public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
    byId.put(sa.id(), new Deletion(sa, cause));
  }

  /** Returns how the SA was deleted, or {@code null} if it was not. */
  Deletion of(String id) {
    return byId.get(id);
  }

  /** Returns the cause of the SA's deletion, or {@code null} if it was not deleted. */
  DeletionCause causeOf(String id) {
    Deletion d = byId.get(id);
    return d == null ? null : d.cause();
  }
}
