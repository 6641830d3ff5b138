package dev.tether.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.Lease;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TetherMetricsTest {
  private final AssociationRegistry registry = AssociationRegistry.builder().name("shop")
      .grace(Duration.ofMinutes(1)).build();
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void meters_followTheRegistry_andScrapeAsPrometheusText() throws Exception {
    TetherMetrics.monitor(prometheus, registry, "container", "jetty", "connector", "https");
    SSLSession session = newSession();

    Lease first = registry.acquire(session, "192.0.2.1");
    first.release();
    Lease second = registry.acquire(session, "192.0.2.1");

    assertThat(prometheus.get("tether.associations.active").tag("container", "jetty").gauge()
        .value()).isEqualTo(1);
    assertThat(prometheus.get("tether.associations.negotiated").functionCounter().count())
        .isEqualTo(1);
    assertThat(prometheus.get("tether.associations.reused").functionCounter().count()).isEqualTo(1);
    assertThat(prometheus.get("tether.handshakes.saved").functionCounter().count()).isEqualTo(1);
    assertThat(prometheus.get("tether.association.idle").timer().count()).isEqualTo(1);

    registry.flush(second.associationId(), DeletionCause.LOGIN);
    second.release();

    assertThat(prometheus.get("tether.associations.active").gauge().value()).isZero();
    assertThat(prometheus.get("tether.leases.open").gauge().value()).isZero();
    assertThat(prometheus.get("tether.associations.deleted").tag("cause", "login")
        .functionCounter().count()).isEqualTo(1);
    assertThat(prometheus.get("tether.associations.flushed").tag("cause", "login")
        .functionCounter().count()).isEqualTo(1);
    assertThat(prometheus.get("tether.association.lifetime").timer().count()).isEqualTo(1);
    assertThat(prometheus.get("tether.association.lifetime").timer().totalTime(TimeUnit.NANOSECONDS))
        .isPositive();

    String scrape = prometheus.scrape();
    assertThat(scrape)
        .contains("tether_associations_negotiated_total{connector=\"https\",container=\"jetty\","
            + "registry=\"shop\"} 1.0")
        .contains("tether_associations_deleted_total{cause=\"login\"")
        .contains("tether_associations_refused_total{connector=\"https\",container=\"jetty\","
            + "reason=\"max_per_peer\",registry=\"shop\"} 0.0")
        .contains("tether_association_lifetime_seconds_count");
  }

  /** A real, unconnected JSSE session: enough for the registry, which only tags and invalidates it. */
  private static SSLSession newSession() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    return engine.getHandshakeSession() != null ? engine.getHandshakeSession() : engine.getSession();
  }
}
