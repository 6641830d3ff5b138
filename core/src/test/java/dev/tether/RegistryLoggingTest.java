package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the registry logs: state changes at INFO, summaries instead of a line per event. */
class RegistryLoggingTest {
  private static final Logger JUL = Logger.getLogger(AssociationRegistry.class.getName());
  private static final Duration INTERVAL = Duration.ofSeconds(60);

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override public void publish(LogRecord r) { records.add(r); }
    @Override public void flush() {}
    @Override public void close() {}
  };
  private final FakeTicker ticker = new FakeTicker();
  private AssociationRegistry registry;

  @BeforeEach
  void capture() {
    JUL.addHandler(handler);
    registry = AssociationRegistry.builder().name("logged").ticker(ticker)
        .scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
        .maxAssociationsPerPeer(1).refusalLogInterval(INTERVAL).build();
  }

  @AfterEach
  void release() {
    registry.close();
    JUL.removeHandler(handler);
  }

  @Test
  void start_logsEffectiveSettingsAtInfo() {
    assertThat(lines(Level.INFO)).anyMatch(l -> l.contains("'logged' started")
        && l.contains("maxAssociationsPerPeer=1") && l.contains("anonymous grace=PT30S"));
  }

  @Test
  void loginFlushes_areSummarizedOncePerInterval() throws Exception {
    for (int i = 0; i < 20; i++) {
      registry.acquire(new FakeSession(), "10.0.0." + i);
      registry.flushPeer("10.0.0." + i, DeletionCause.LOGIN);
    }
    assertThat(flushLines()).as("no INFO line per login").isEmpty();

    ticker.advance(INTERVAL);
    registry.flushPeer("10.0.0.0", DeletionCause.LOGOUT);

    assertThat(flushLines()).singleElement().asString()
        .contains("20 login flush(es) deleting 20 SA(s)").contains("1 logout flush(es)");
  }

  @Test
  void manualFlush_isOneInfoLineWithItsCount() throws Exception {
    registry.acquire(new FakeSession(), "10.0.0.1");
    registry.acquire(new FakeSession(), "10.0.0.2");

    registry.flushAll(DeletionCause.MANUAL);

    assertThat(lines(Level.INFO)).filteredOn(l -> l.contains("flushed"))
        .containsExactly("Tether registry 'logged' flushed 2 SA(s) (MANUAL, all SAs)");
  }

  @Test
  void refusals_logOneWarningPerEpisodeAndASummaryPerInterval() throws Exception {
    registry.acquire(new FakeSession(), "10.0.0.1");
    for (int i = 0; i < 50; i++) {
      assertThatThrownBy(() -> registry.acquire(new FakeSession(), "10.0.0.1"))
          .isInstanceOf(AssociationRefusedException.class);
    }
    assertThat(lines(Level.WARNING)).singleElement().asString()
        .contains("is refusing new SAs").contains("10.0.0.1");

    ticker.advance(INTERVAL);
    assertThatThrownBy(() -> registry.acquire(new FakeSession(), "10.0.0.1"))
        .isInstanceOf(AssociationRefusedException.class);
    assertThat(lines(Level.WARNING)).hasSize(2).last().asString()
        .contains("refused 50 more SAs in the last interval");

    ticker.advance(INTERVAL);
    registry.acquire(new FakeSession(), "10.0.0.2");
    assertThat(lines(Level.INFO)).anyMatch(l -> l.contains("grants new SAs again; 51 refused"));
  }

  private List<String> flushLines() {
    return lines(Level.INFO).stream().filter(l -> l.contains("flush")).toList();
  }

  private List<String> lines(Level level) {
    return records.stream().filter(r -> r.getLevel() == level)
        .map(r -> java.text.MessageFormat.format(r.getMessage(),
            r.getParameters() == null ? new Object[0] : r.getParameters()))
        .toList();
  }
}
