package dev.tether.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.Lease;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flush rules of {@link AssociationServlet}; its HTTP side runs in the shop's Jetty tests. */
class AssociationServletTest {
  private final AtomicLong nanos = new AtomicLong();
  private final AssociationRegistry registry = AssociationRegistry.builder()
      .name("flush-test")
      .grace(Duration.ofSeconds(30))
      .ticker(nanos::get)
      .scheduler(Scheduler.disabledScheduler())
      .build();

  @AfterEach
  void close() {
    registry.close();
  }

  private Lease acquire(String peer, FakeSslSession session) throws Exception {
    return registry.acquire(session, peer);
  }

  @Test
  void flush_byId_deletesThatSaAndInvalidatesItsSession() throws Exception {
    FakeSslSession s1 = new FakeSslSession("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    Lease a = acquire("10.0.0.1", s1);
    Lease b = acquire("10.0.0.1", new FakeSslSession("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));

    assertThat(AssociationServlet.flush(registry, a.associationId(), null, null)).isEqualTo(1);

    assertThat(a.isDeleted()).isTrue();
    assertThat(b.isDeleted()).isFalse();
    assertThat(s1.isInvalidated()).isTrue();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.MANUAL, 1L);
  }

  @Test
  void flush_unknownOrMalformedId_flushesNothing() throws Exception {
    acquire("10.0.0.1", new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"));

    assertThat(AssociationServlet.flush(registry, "ffffffff", null, null)).isZero();
    assertThat(AssociationServlet.flush(registry, "not-an-id", null, null)).isZero();
    assertThat(registry.associations()).hasSize(1);
  }

  @Test
  void flush_byPeer_deletesOnlyThatPeersSas() throws Exception {
    acquire("10.0.0.1", new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
    acquire("10.0.0.1", new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
    Lease other = acquire("10.0.0.2", new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"));

    assertThat(AssociationServlet.flush(registry, null, " 10.0.0.1 ", null)).isEqualTo(2);

    assertThat(registry.associations()).extracting(sa -> sa.id())
        .containsExactly(other.associationId());
  }

  @Test
  void flush_all_deletesEverySa() throws Exception {
    acquire("10.0.0.1", new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
    acquire("10.0.0.2", new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256")).release();

    assertThat(AssociationServlet.flush(registry, null, null, "true")).isEqualTo(2);

    assertThat(registry.associations()).isEmpty();
    assertThat(registry.stats().flushed()).isEqualTo(2);
  }

  @Test
  void flush_withNoneOrSeveralSelectors_isRejectedAndFlushesNothing() throws Exception {
    acquire("10.0.0.1", new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"));

    assertThatThrownBy(() -> AssociationServlet.flush(registry, null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one");
    assertThatThrownBy(() -> AssociationServlet.flush(registry, "00000001", "10.0.0.1", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AssociationServlet.flush(registry, null, null, "yes"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all='yes'");
    assertThat(registry.associations()).hasSize(1);
  }
}
