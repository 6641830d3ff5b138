package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Jetty;
import org.junit.jupiter.api.Test;

/** Guards this module's purpose: the tether-jetty tests it runs see Jetty 12.0, not 12.1. */
class JettyLineTest {
  @Test
  void classpath_holdsJetty12_0() {
    assertThat(Jetty.VERSION).startsWith("12.0.");
    assertThat(Server.getVersion()).startsWith("12.0.");
  }
}
