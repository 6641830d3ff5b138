package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.internal.AdapterSettings;
import dev.tether.internal.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code tether.*} properties are the shared settings: one property per {@link Setting}, named
 * in kebab case, with the setting's default, and the configuration processor's metadata (what IDEs
 * complete) says so.
 */
class TetherPropertiesMetadataTest {

  @Test
  void everySetting_isAProperty_withTheSettingsDefault() {
    TetherSettings defaults = TetherSettings.of(new TetherProperties(), new DefaultResourceLoader());
    AdapterSettings settings = defaults.adapterSettings();
    for (Setting s : Setting.values()) {
      assertThat(settings.text(s)).as(s.key()).isEqualTo(s.format(s.parse(s.defaultText())));
    }
    assertThat(settings.explicit()).containsExactlyInAnyOrder(Setting.values());
  }

  @Test
  @SuppressWarnings("unchecked")
  void metadata_describesEveryProperty_withItsTypeAndDefault() throws IOException {
    Map<String, Map<String, Object>> properties = new HashMap<>();
    try (InputStream in = getClass().getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json")) {
      Map<String, Object> json = JsonMapper.builder().build().readValue(in, Map.class);
      for (Map<String, Object> p : (List<Map<String, Object>>) json.get("properties")) {
        properties.put((String) p.get("name"), p);
      }
    }
    for (Setting s : Setting.values()) {
      String name = TetherSettings.property(s.key());
      Map<String, Object> p = properties.get(name);
      assertThat(p).as(name).isNotNull();
      assertThat((String) p.get("description")).as(name).isNotBlank();
      Object parsed = s.parse(s.defaultText());
      String type = (String) p.get("type");
      if (parsed instanceof java.time.Duration) {
        assertThat(type).as(name).isEqualTo("java.time.Duration");
      }
      Object shown = p.getOrDefault("defaultValue", "");
      assertThat(s.format(s.parse(String.valueOf(shown)))).as("default of %s", name)
          .isEqualTo(s.format(parsed));
    }
    assertThat(properties.get("tether.enabled")).containsEntry("defaultValue", true);
    assertThat(properties).containsKey("management.endpoint.tether.access");
  }

  @Test
  void propertyNames_areTheSettingsKeysInKebabCase() {
    assertThat(TetherSettings.property("grace")).isEqualTo("tether.grace");
    assertThat(TetherSettings.property("maxAssociationsPerPeer"))
        .isEqualTo("tether.max-associations-per-peer");
    assertThat(TetherSettings.property("clusterUri")).isEqualTo("tether.cluster-uri");
  }
}
