package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {
  @Test
  void noArguments_areTheDocumentedDefaults() throws Exception {
    LauncherOptions o = LauncherOptions.parse();

    assertThat(o).isEqualTo(LauncherOptions.defaults());
    assertThat(o.container()).isEqualTo(Container.JETTY);
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isEqualTo(8443);
    assertThat(o.keystore()).isEqualTo(Path.of("tether-shop.p12"));
    assertThat(o.grace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.policies()).isNull();
    assertThat(o.adminPassword()).isEqualTo("tether-admin");
    assertThat(o.http2()).isTrue();
  }

  @Test
  void everyOption_inBothSpellings_isRead() throws Exception {
    LauncherOptions o = LauncherOptions.parse("--container=TOMCAT", "--host", "0.0.0.0",
        "--port=0", "--keystore", "k.p12", "--grace", "500ms", "--admin-password=pw",
        "--http2=off");

    assertThat(o).isEqualTo(new LauncherOptions(Container.TOMCAT, "0.0.0.0", 0, Path.of("k.p12"),
        Duration.ofMillis(500), null, "pw", false));
    assertThat(LauncherOptions.parse("--http2", "ON").http2()).isTrue();
    assertThat(LauncherOptions.parse("--policies", "p.conf").policies())
        .isEqualTo(Path.of("p.conf"));
  }

  @Test
  void clusterOptions_areReadTogether_andTheFlagTakesNoValue() throws Exception {
    LauncherOptions o = LauncherOptions.parse("--cluster", "redis://10.0.0.5:6379", "--node=web-1",
        "--cluster-secret-file", "cluster.secret", "--proxy-protocol");

    assertThat(o.cluster()).isEqualTo(new ClusterOptions("redis://10.0.0.5:6379", "web-1",
        Path.of("cluster.secret")));
    assertThat(o.proxyProtocol()).isTrue();
    assertThat(o.cluster().ackTimeout()).isEqualTo(Duration.ofMillis(50));
    assertThat(LauncherOptions.parse("--cluster", "redis://h:1", "--node=a",
        "--cluster-secret-file", "s", "--cluster-ack-timeout", "2s").cluster().ackTimeout())
        .isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> LauncherOptions.parse("--cluster-ack-timeout", "2s"))
        .hasMessageStartingWith("--cluster-ack-timeout needs --cluster, --node and"
            + " --cluster-secret-file");
    assertThat(LauncherOptions.parse().cluster()).isNull();
    assertThat(LauncherOptions.parse().proxyProtocol()).isFalse();
    assertThat(new ClusterOptions("redis://tether:pw@h:1", "a", Path.of("s")).redactedUri())
        .isEqualTo("redis://***@h:1");
    assertThatThrownBy(() -> LauncherOptions.parse("--node", "a"))
        .hasMessageStartingWith("--node needs --cluster and --cluster-secret-file");
    assertThatThrownBy(() -> LauncherOptions.parse("--proxy-protocol=yes"))
        .hasMessage("--proxy-protocol takes no value");
    assertThatThrownBy(() -> LauncherOptions.parse("--proxy-protocol", "--proxy-protocol"))
        .hasMessage("--proxy-protocol is given twice");
  }

  @Test
  void badArguments_areUsageErrors_namingTheOption() {
    assertThatThrownBy(() -> LauncherOptions.parse("--port"))
        .isInstanceOf(LaunchException.class).hasMessage("--port needs a value")
        .satisfies(e -> assertThat(((LaunchException) e).exitCode()).isEqualTo(2));
    assertThatThrownBy(() -> LauncherOptions.parse("--port", "1", "--port", "2"))
        .hasMessage("--port is given twice");
    assertThatThrownBy(() -> LauncherOptions.parse("--port", "-1"))
        .hasMessageContaining("--port '-1' is not a port number");
    assertThatThrownBy(() -> LauncherOptions.parse("shop"))
        .hasMessage("unexpected argument 'shop'");
    assertThatThrownBy(() -> LauncherOptions.parse("--admin-password", ""))
        .hasMessage("--admin-password needs a value");
    assertThatThrownBy(() -> LauncherOptions.parse("--grace", "-1s"))
        .hasMessageContaining("--grace='-1s' is not a duration");
    assertThatThrownBy(() -> LauncherOptions.parse("--http2", "maybe"))
        .hasMessage("--http2 'maybe': use on or off");
    assertThatThrownBy(() -> LauncherOptions.parse("--max-per-peer", "0"))
        .hasMessageStartingWith("--max-per-peer '0' is not a number of SAs");
    assertThatThrownBy(() -> LauncherOptions.parse("--max-per-peer", "many"))
        .hasMessageStartingWith("--max-per-peer 'many' is not a number of SAs");
  }

  @Test
  void maxPerPeer_isTethersDefault_unlessGiven() throws Exception {
    assertThat(LauncherOptions.parse().maxPerPeer()).isEqualTo(1_000);
    assertThat(LauncherOptions.parse("--max-per-peer=50000").maxPerPeer()).isEqualTo(50_000);
    assertThat(LauncherOptions.parse("--max-per-peer", "7").withPort(0).maxPerPeer()).isEqualTo(7);
  }
}
