package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.jetty.JettyTether;
import dev.tether.testing.LogCapture;
import dev.tether.testing.RedisServer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import javax.management.ObjectName;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Test;

/**
 * The cluster configured the containers' way: Jetty's {@code jetty.tether.cluster*} bean settings
 * and Tomcat's {@code cluster*} connector attributes, read through the shared setting definitions;
 * a bad value stops the start naming the setting as the container spells it.
 */
class ContainerSettingsTest {

  private static Server jetty(JettyTether[] bean) {
    Server server = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(NodeServer.CERT.keyStore());
    ssl.setKeyStorePassword(NodeServer.PASSWORD);
    ServerConnector https = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
        new HttpConnectionFactory(new HttpConfiguration()));
    https.setHost("127.0.0.1");
    server.addConnector(https);
    bean[0] = new JettyTether(server);
    server.addBean(bean[0]);
    return server;
  }

  private static Path secret() throws Exception {
    return NodeServer.file("tether-cluster.secret", ClusterNodes.SECRET);
  }

  @Test
  void jettySettingsAndTomcatAttributes_joinOneCluster_andAFlushCrossesBoth() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      JettyTether[] bean = new JettyTether[1];
      Server server = jetty(bean);
      bean[0].setPolicies(NodeServer.file("tether-cluster-policies.conf",
          ClusterNodes.POLICIES.getBytes(StandardCharsets.UTF_8)).toString());
      bean[0].setClusterUri(redis.uri());
      bean[0].setClusterNode("jetty-1");
      bean[0].setClusterSecretFile(secret().toString());
      bean[0].setClusterHeartbeat("100ms");
      server.start();
      NodeServer tomcat = NodeServer.tomcat("tomcat-1", redis.uri(), Duration.ofSeconds(2));
      try {
        AssociationRegistry onJetty = bean[0].registry();
        await().atMost(Duration.ofSeconds(20)).until(() ->
            onJetty.cluster().view().liveNodes() == 2
                && tomcat.registry.cluster().view().liveNodes() == 2);
        assertThat(onJetty.cluster()).isInstanceOf(RedisCluster.class);
        assertThat(bean[0].getClusterNode()).isEqualTo("jetty-1");

        onJetty.policies().login("10.0.0.1", null, "carol", "customer"::equals);

        assertThat(tomcat.registry.policyFor("10.0.0.1").name()).isEqualTo("customer");
        var mbeans = ManagementFactory.getPlatformMBeanServer();
        var names = mbeans.queryNames(new ObjectName("*:type=TetherRegistry,*"), null);
        assertThat(names).isNotEmpty();
        assertThat(names).anySatisfy(n -> {
          try {
            assertThat(mbeans.getAttribute(n, "clusterNode")).isEqualTo("tomcat-1");
            assertThat(mbeans.getAttribute(n, "clusterUri")).isEqualTo(redis.uri());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
      } finally {
        tomcat.close();
        server.stop();
      }
    }
  }

  @Test
  void badClusterSettings_stopTheStart_namingTheSettingAsTheContainerSpellsIt() throws Exception {
    JettyTether[] bean = new JettyTether[1];
    Server noSecret = jetty(bean);
    bean[0].setClusterUri("redis://127.0.0.1:1");
    bean[0].setClusterNode("a");
    assertThatThrownBy(noSecret::start).hasMessageStartingWith("jetty.tether.clusterSecretFile=")
        .hasMessageContaining("clusterSecretFile is not set");
    noSecret.stop();

    Server noNode = jetty(bean);
    bean[0].setClusterUri("redis://127.0.0.1:1");
    bean[0].setClusterSecretFile(secret().toString());
    assertThatThrownBy(noNode::start).hasMessageStartingWith("jetty.tether.clusterNode=")
        .hasMessageContaining("clusterNode is not set");
    noNode.stop();

    assertThatThrownBy(() -> bean[0].setClusterUri("127.0.0.1:6379"))
        .hasMessageStartingWith("jetty.tether.clusterUri=127.0.0.1:6379 is invalid");
    assertThatThrownBy(() -> bean[0].setClusterAckTimeout("1m"))
        .hasMessageStartingWith("jetty.tether.clusterAckTimeout=1m is invalid");

    Server wrongScheme = jetty(bean);
    bean[0].setClusterUri("memcached://127.0.0.1:11211");
    bean[0].setClusterNode("a");
    bean[0].setClusterSecretFile(secret().toString());
    assertThatThrownBy(wrongScheme::start)
        .hasMessageStartingWith("jetty.tether.clusterUri=memcached://127.0.0.1:11211 is invalid")
        .hasMessageContaining("tether-cluster-redis");
    wrongScheme.stop();

    // Tomcat logs a connector that fails its init and leaves it stopped.
    try (LogCapture log = new LogCapture()) {
      NodeServer failed = NodeServer.tomcat("b", "redis://127.0.0.1:port", Duration.ZERO);
      assertThat(failed.registry).isNull();
      assertThat(log.text(Level.SEVERE)).contains(
          "Tether connector attribute clusterUri=\"redis://127.0.0.1:port\" is invalid", "names no host:port");
      failed.close();
    }
  }
}
