package dev.tether.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.testing.LogCapture;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The start-up check of the answer to client-initiated renegotiation: the property read as the JDK
 * reads it, one WARN where the container's setting and the JVM disagree, a start refused for a value
 * the JDK would fail every handshake with. What the JDK itself does is {@link
 * ClientRenegotiationJdkTest}'s.
 */
class ClientRenegotiationTest {
  private static final String SETTING = "renegotiationAllowed";

  private String before;
  private LogCapture log;

  @BeforeEach
  void saveProperty() {
    before = System.getProperty(ClientRenegotiation.PROPERTY);
    log = new LogCapture(ClientRenegotiation.class.getName());
  }

  @AfterEach
  void restoreProperty() {
    log.close();
    if (before == null) {
      System.clearProperty(ClientRenegotiation.PROPERTY);
    } else {
      System.setProperty(ClientRenegotiation.PROPERTY, before);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "True"})
  void jdk_propertyTrueInAnyCase_refuses(String value) {
    System.setProperty(ClientRenegotiation.PROPERTY, value);
    assertThat(ClientRenegotiation.refusedByProvider(TlsProvider.JDK)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "FALSE", ""})
  void jdk_propertyFalseOrAbsent_doesNotRefuse(String value) {
    if (value.isEmpty()) {
      System.clearProperty(ClientRenegotiation.PROPERTY);
    } else {
      System.setProperty(ClientRenegotiation.PROPERTY, value);
    }
    assertThat(ClientRenegotiation.refusedByProvider(TlsProvider.JDK)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "1", " true", "on"})
  void jdk_valueTheJdkRejects_stopsTheStart_namingPropertyAndValue(String value) {
    System.setProperty(ClientRenegotiation.PROPERTY, value);
    assertThatThrownBy(() -> ClientRenegotiation.check(TlsProvider.JDK, false, SETTING))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("-D" + ClientRenegotiation.PROPERTY + "=" + value + " is neither")
        .hasMessageContaining("every TLS handshake");
  }

  @Test
  void bcjsse_refusesWhateverTheProperty_andNeverWarns() {
    System.setProperty(ClientRenegotiation.PROPERTY, "yes");
    assertThat(ClientRenegotiation.check(TlsProvider.BCJSSE, false, SETTING)).isTrue();
    assertThat(ClientRenegotiation.check(TlsProvider.BCJSSE, true, SETTING)).isTrue();
    assertThat(log.lines(Level.WARNING)).isEmpty();
  }

  @Test
  void refusedByTether_butNotByTheJdk_warnsOnce_namingThePropertyToAdd() {
    System.clearProperty(ClientRenegotiation.PROPERTY);
    assertThat(ClientRenegotiation.check(TlsProvider.JDK, false, "jetty.tether." + SETTING))
        .isFalse();
    assertThat(log.lines(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
        .contains("jetty.tether.renegotiationAllowed=false")
        .contains("Start the JVM with -Djdk.tls.rejectClientInitiatedRenegotiation=true"));
  }

  @Test
  void refusedByTetherAndByTheJdk_isQuiet() {
    System.setProperty(ClientRenegotiation.PROPERTY, "true");
    assertThat(ClientRenegotiation.check(TlsProvider.JDK, false, SETTING)).isTrue();
    assertThat(log.lines(Level.WARNING)).isEmpty();
  }

  @Test
  void allowedByTether_butRefusedByTheJdk_warnsThatTheSettingHasNoEffect() {
    System.setProperty(ClientRenegotiation.PROPERTY, "true");
    assertThat(ClientRenegotiation.check(TlsProvider.JDK, true, SETTING)).isTrue();
    assertThat(log.lines(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
        .contains("renegotiationAllowed=true").contains("the JDK refuses every client-initiated"));
  }

  @Test
  void allowedByTetherAndByTheJdk_isQuiet() {
    System.clearProperty(ClientRenegotiation.PROPERTY);
    assertThat(ClientRenegotiation.check(TlsProvider.JDK, true, SETTING)).isFalse();
    assertThat(log.lines(Level.WARNING)).isEmpty();
  }
}
