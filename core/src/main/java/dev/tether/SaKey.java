package dev.tether;

/**
 * An SA's id as the SA table's key. The SA's {@link SessionTag} is the key the table holds, so an SA
 * costs no separate key object; a lookup by id (a flush or a view by id) makes a plain key with the
 * same id, which equals the tag.
 */
class SaKey {
  final long id;

  SaKey(long id) {
    this.id = id;
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof SaKey k && k.id == id;
  }

  @Override
  public final int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public String toString() {
    return AssociationRegistry.formatId(id);
  }
}
