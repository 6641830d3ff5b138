package dev.tether;

/**
 * What the registry leaves in the TLS session of an SA's lineage: the SA's id, and whether the SA was
 * created yet. JSSE shares a session's values with every session resumed from it, so every
 * connection of the lineage finds the same tag.
 *
 * <p>A tag is reserved during a full handshake, before the TLS stack issues its session tickets (see
 * {@link AssociationRegistry#inspectHandshake}); the first connection of the lineage to complete its
 * handshake creates the SA under the reserved id and marks the tag created. A created tag whose SA is
 * gone belongs to a deleted lineage: a connection that resumes it is refused.
 *
 * <p>Concurrency: {@link #created} changes only inside the registry's atomic step on {@link #id}.
 */
final class SessionTag {
  final Long id;
  volatile boolean created;

  SessionTag(Long id, boolean created) {
    this.id = id;
    this.created = created;
  }

  @Override
  public String toString() {
    return "SessionTag[" + AssociationRegistry.formatId(id) + (created ? "]" : ", reserved]");
  }
}
