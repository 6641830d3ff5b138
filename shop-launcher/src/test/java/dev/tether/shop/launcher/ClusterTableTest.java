package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What of a node's SAs the cluster's table holds. */
class ClusterTableTest {

  @Test
  void aNodeWithMoreSasThanTheTableHolds_showsItsNewest_oldestFirst() {
    List<Integer> oldestFirst = IntStream.range(0, ClusterTable.MAX_ROWS + 120).boxed().toList();

    List<Integer> kept = ClusterTable.newest(oldestFirst);

    assertThat(kept).hasSize(ClusterTable.MAX_ROWS);
    assertThat(kept.get(0)).isEqualTo(120);
    assertThat(kept.get(kept.size() - 1)).isEqualTo(ClusterTable.MAX_ROWS + 119);
  }

  @Test
  void aNodeWithFewSas_showsThemAll() {
    assertThat(ClusterTable.newest(List.of(1, 2, 3))).containsExactly(1, 2, 3);
  }
}
