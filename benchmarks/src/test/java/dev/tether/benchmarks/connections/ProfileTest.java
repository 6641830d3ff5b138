package dev.tether.benchmarks.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {
  @TempDir
  Path dir;

  @Test
  void collapsedStacks_countTetherInclusive_apartFromWhatItPassesOn_andLeaveTheBenchmarkOut()
      throws Exception {
    Path file = dir.resolve("server.collapsed");
    Files.writeString(file, String.join("\n",
        // Jetty and the kernel only: the server's, not Tether's.
        "java/lang/Thread.run;org/eclipse/jetty/io/SelectorManager.accept;tcp_v4_rcv_[k] 50",
        // Tether's frame with work of its own below it: Tether's, counted once per method.
        "java/lang/Thread.run;dev/tether/jetty/ConnectionTracker.onOpened;"
            + "dev/tether/tls/TlsConnection.prepare;sun/security/ssl/SSLEngineImpl.getSSLParameters 6",
        // Tether's innermost frame calls a method of its own name outside Tether: passed on.
        "java/lang/Thread.run;dev/tether/tls/HandshakeInspector.permits;"
            + "sun/security/util/DisabledAlgorithmConstraints.permits 4",
        // The benchmark's own classes are the application.
        "java/lang/Thread.run;dev/tether/benchmarks/connections/BenchServer.main 40",
        ""));

    Profile profile = Profile.ofCollapsed(file);

    assertThat(profile.samples()).isEqualTo(100);
    assertThat(profile.tether()).isEqualTo(6);
    assertThat(profile.passedOn()).isEqualTo(4);
    assertThat(profile.share()).isEqualTo(6.0);
    assertThat(profile.byTetherMethod())
        .containsEntry("ConnectionTracker.onOpened", 6L)
        .containsEntry("TlsConnection.prepare", 6L)
        .doesNotContainKey("HandshakeInspector.permits");
    assertThat(profile.byCallee()).containsEntry("SSLEngineImpl.getSSLParameters", 6L);
    assertThat(profile.stacks()).containsEntry(
        "ConnectionTracker.onOpened;TlsConnection.prepare;SSLEngineImpl.getSSLParameters", 6L);
  }
}
