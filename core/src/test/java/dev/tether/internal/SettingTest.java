package dev.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.AssociationRegistry;
import dev.tether.tls.TlsProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingTest {
  private final AdapterSettings jetty =
      new AdapterSettings((key, value) -> "jetty.tether." + key + "=" + value);

  @Test
  void defaults_parse_andFormatBackToThemselves() {
    for (Setting s : Setting.values()) {
      assertThat(s.format(s.parse(s.defaultText()))).as(s.key()).isEqualTo(s.defaultText());
      assertThat(jetty.text(s)).as(s.key()).isEqualTo(s.defaultText());
    }
    assertThat(jetty.explicit()).isEmpty();
  }

  @Test
  void durations_unitsIsoAndMilliseconds_alike_writtenInTheLargestUnit() {
    for (String text : new String[] {"30s", "30000", "PT30S", " 30 s"}) {
      jetty.set(Setting.GRACE, text);
      assertThat(jetty.duration(Setting.GRACE)).as(text).isEqualTo(Duration.ofSeconds(30));
      assertThat(jetty.text(Setting.GRACE)).as(text).isEqualTo("30s");
    }
    jetty.set(Setting.GRACE, "0");
    assertThat(jetty.duration(Setting.GRACE)).isZero();
    assertThat(jetty.explicit()).containsExactly(Setting.GRACE);
  }

  @Test
  void badValues_nameTheSettingTheValueAndWhatItTakes() {
    assertThatThrownBy(() -> jetty.set(Setting.PEER_BINDING_TTL, "0"))
        .hasMessage("jetty.tether.peerBindingTtl=0 is invalid: expected a duration, more than 0:"
            + " 500ms, 30s, 15m, 2h, 1d, PT30S or milliseconds (30000)");
    assertThatThrownBy(() -> jetty.set(Setting.MAX_ASSOCIATIONS, "2147483648"))
        .hasMessage("jetty.tether.maxAssociations=2147483648 is invalid: expected 1 to 2147483647");
    assertThatThrownBy(() -> jetty.set(Setting.PROVIDER, "openssl"))
        .hasMessage("jetty.tether.provider=openssl is invalid: expected jdk or bcjsse");
    assertThatThrownBy(() -> jetty.set(Setting.RENEGOTIATION_ALLOWED, "yes"))
        .hasMessage("jetty.tether.renegotiationAllowed=yes is invalid: expected true or false");
    assertThatThrownBy(() -> jetty.set(Setting.REGISTRY_NAME, "my shop"))
        .hasMessageStartingWith("jetty.tether.registryName=my shop is invalid");
    assertThat(jetty.explicit()).as("nothing bad was taken").isEmpty();
  }

  @Test
  void registryBuilder_takesEverySetting(@TempDir Path dir) throws Exception {
    jetty.set(Setting.REGISTRY_NAME, "shop");
    jetty.set(Setting.GRACE, "1500ms");
    jetty.set(Setting.MAX_ASSOCIATIONS, "10");
    jetty.set(Setting.MAX_ASSOCIATIONS_PER_PEER, "2");
    jetty.set(Setting.PROVIDER, "BCJSSE");
    try (AssociationRegistry r = jetty.registryBuilder(jetty.policySet(dir)).build()) {
      assertThat(r.name()).isEqualTo("shop");
      assertThat(r.defaultPolicy().grace()).isEqualTo(Duration.ofMillis(1500));
      assertThat(r.maxAssociations()).isEqualTo(10);
      assertThat(r.maxAssociationsPerPeer()).isEqualTo(2);
    }
    assertThat(jetty.provider()).isEqualTo(TlsProvider.BCJSSE);
    assertThat(jetty.text(Setting.PROVIDER)).isEqualTo("bcjsse");
  }

  @Test
  void policies_relativeToTheBase_andABadFileNamesSettingFileAndLine(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("p.conf"), "[policy browse]\napplies-to = anonymous\ngrace = 2s\n");
    jetty.set(Setting.POLICIES, "p.conf");
    assertThat(jetty.policySet(dir).anonymous().grace()).isEqualTo(Duration.ofSeconds(2));
    assertThat(jetty.longestGrace(jetty.policySet(dir))).isEqualTo(Duration.ofSeconds(2));

    Files.writeString(dir.resolve("p.conf"), "[policy browse]\napplies-to = anonymous\ngrace = x\n");
    assertThatThrownBy(() -> jetty.policySet(dir))
        .hasMessageStartingWith("jetty.tether.policies=p.conf is invalid: ")
        .hasMessageContaining("p.conf:3: grace='x' is not a duration");
    jetty.set(Setting.POLICIES, "none.conf");
    assertThatThrownBy(() -> jetty.policySet(dir))
        .hasMessageStartingWith("jetty.tether.policies=none.conf is invalid: the file cannot be read");
  }

  /** The README's table of the settings both containers share is this enum, row for row. */
  @Test
  void readme_sharedSettingsTable_matchesTheDefinitions() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (Setting s : Setting.values()) {
      String row = "| `" + s.key() + "` | " + (s.defaultText().isEmpty() ? "empty"
          : "`" + s.defaultText() + "`") + " | " + s.accepts() + " | ";
      assertThat(readme).as("README row of %s", s.key()).contains(row);
    }
  }
}
