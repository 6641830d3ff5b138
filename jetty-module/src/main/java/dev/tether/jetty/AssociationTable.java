package dev.tether.jetty;

import dev.tether.AssociationRegistry;
import dev.tether.SecurityAssociation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.util.component.Dumpable;

/**
 * The SA table as {@code Server.dump()} shows it under the {@link JettyTether} bean: one line per live
 * SA, oldest first. A snapshot taken when the dump is made.
 */
final class AssociationTable implements Dumpable {
  private final List<String> rows;

  AssociationTable(AssociationRegistry registry) {
    List<String> lines = new ArrayList<>();
    if (registry != null) {
      for (SecurityAssociation sa : registry.associations()) {
        lines.add(row(sa));
      }
    }
    this.rows = List.copyOf(lines);
  }

  static String row(SecurityAssociation sa) {
    return String.format(Locale.ROOT, "SA %s %s peer=%s %s %s references=%d reuses=%d age=%dms"
            + " idle=%dms policy=%s principals=%s", sa.id(), sa.state(), sa.peer(), sa.protocol(),
        sa.cipherSuite(), sa.references(), sa.reuses(), sa.age().toMillis(), sa.idleFor().toMillis(),
        sa.policy(), sa.principals());
  }

  @Override
  public String dumpSelf() {
    return "associations size=" + rows.size();
  }

  @Override
  public void dump(Appendable out, String indent) throws IOException {
    Dumpable.dumpObjects(out, indent, this, rows.toArray());
  }
}
