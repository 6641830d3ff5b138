package dev.tether.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The cluster's meters read its view and record the lags it reports; a node alone has none. */
class ClusterMetricsTest {

  /** A cluster whose view the test sets, and whose lag observers it calls. */
  static final class SetCluster implements AssociationCluster {
    volatile View view = new View("a", false, List.of(), 0, 0, 0, 0, 0, 0);
    final List<Consumer<Duration>> observers = new CopyOnWriteArrayList<>();

    @Override public void start(Member member) { }
    @Override public Receipt publish(Event event) { return Receipt.DONE; }
    @Override public View view() { return view; }
    @Override public void observeLag(Consumer<Duration> observer) { observers.add(observer); }
    @Override public void close() { }
  }

  @Test
  void clusterMeters_followTheViewAndTheLags() {
    SetCluster cluster = new SetCluster();
    try (AssociationRegistry registry = AssociationRegistry.builder().cluster(cluster).build()) {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      TetherMetrics.monitor(meters, registry);
      AssociationCluster.Node live = new AssociationCluster.Node("a", "", true, 3, Duration.ZERO, Duration.ZERO);
      AssociationCluster.Node down = new AssociationCluster.Node("b", "", false, 0, Duration.ZERO, Duration.ofSeconds(9));
      cluster.view = new AssociationCluster.View("a", true, List.of(live, down), 5, 7, 2, 1, 0, 1);
      cluster.observers.forEach(o -> o.accept(Duration.ofMillis(3)));

      assertThat(meters.get("tether.cluster.events.published").functionCounter().count()).isEqualTo(5);
      assertThat(meters.get("tether.cluster.events.applied").functionCounter().count()).isEqualTo(7);
      assertThat(meters.get("tether.cluster.events.rejected").functionCounter().count()).isEqualTo(2);
      assertThat(meters.get("tether.cluster.ack.misses").functionCounter().count()).isEqualTo(1);
      assertThat(meters.get("tether.cluster.resyncs").functionCounter().count()).isEqualTo(1);
      assertThat(meters.get("tether.cluster.nodes.live").gauge().value()).isEqualTo(1);
      assertThat(meters.get("tether.cluster.degraded").gauge().value()).isEqualTo(1);
      assertThat(meters.get("tether.cluster.propagation.lag").timer().count()).isOne();
      assertThat(meters.get("tether.cluster.propagation.lag").timer()
          .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(3);
    }
  }

  @Test
  void nodeAlone_hasNoClusterMeters() {
    try (AssociationRegistry registry = AssociationRegistry.builder().build()) {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      TetherMetrics.monitor(meters, registry);

      assertThat(meters.find("tether.cluster.events.published").meter()).isNull();
    }
  }
}
