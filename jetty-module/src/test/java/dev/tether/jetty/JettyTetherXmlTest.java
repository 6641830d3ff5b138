package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.internal.Setting;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.xml.XmlConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The distribution files: {@code etc/jetty-tether.xml} applied by Jetty's own {@link XmlConfiguration}
 * to a real server, as {@code start.jar} does, and {@code modules/tether.mod} checked against it.
 */
@SuppressWarnings("try") // connections held open for the length of a try block
class JettyTetherXmlTest {
  /** src/main/config of jetty-module; surefire passes it because another module runs these tests. */
  static final Path CONFIG = Path.of(System.getProperty("tether.jetty.config", "src/main/config"));
  private static final Pattern XML_PROPERTY = Pattern.compile(
      "<Property name=\"(jetty\\.tether\\.[A-Za-z]+)\" default=\"([^\"]*)\"/>");
  private static final Pattern INI_PROPERTY = Pattern.compile(
      "^#(jetty\\.tether\\.[A-Za-z]+)=(.*)$", Pattern.MULTILINE);

  private final TestServer server = new TestServer();

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private JettyTether configure(Map<String, String> properties) throws Exception {
    XmlConfiguration xml = new XmlConfiguration(
        ResourceFactory.root().newResource(CONFIG.resolve("etc/jetty-tether.xml")));
    xml.getIdMap().put("Server", server.server);
    xml.getProperties().putAll(properties);
    xml.configure(server.server);
    return server.server.getBean(JettyTether.class);
  }

  @Test
  void xml_addsTether_withItsProperties_andItWorks() throws Exception {
    JettyTether tether = configure(Map.of("jetty.tether.grace", "0",
        "jetty.tether.registryName", "from-xml", "jetty.tether.maxAssociationsPerPeer", "7",
        "jetty.tether.connectorNames", "https"));
    server.start();

    assertThat(tether.isStarted()).isTrue();
    assertThat(tether.getGrace()).isEqualTo("0");
    assertThat(tether.getMaxAssociationsPerPeer()).isEqualTo(7);
    AssociationRegistry registry = tether.registry();
    assertThat(registry.name()).isEqualTo("from-xml");
    try (JdkTlsClient.Conn c = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
        "TLSv1.3").open()) {
      assertThat(registry.associations()).hasSize(1);
    }
    await().untilAsserted(() -> assertThat(registry.stats().leases()).isZero());
    assertThat(registry.associations()).isEmpty();
  }

  @Test
  void xml_defaults_areTheBeanDefaults() throws Exception {
    JettyTether fromXml = configure(Map.of());
    JettyTether plain = new JettyTether(server.server);
    for (Method getter : managedGetters()) {
      assertThat(getter.invoke(fromXml)).as(getter.getName()).isEqualTo(getter.invoke(plain));
    }
  }

  @Test
  void xml_badValue_failsNamingTheSetting() {
    assertThatThrownBy(() -> configure(Map.of("jetty.tether.grace", "-5")))
        .satisfies(e -> assertThat(messages(e)).contains("jetty.tether.grace=-5"));
    assertThatThrownBy(() -> configure(Map.of("jetty.tether.provider", "openssl")))
        .satisfies(e -> assertThat(messages(e))
            .contains("jetty.tether.provider=openssl is invalid: expected jdk or bcjsse"));
    assertThatThrownBy(() -> configure(Map.of("jetty.tether.peerBindingTtl", "soon")))
        .satisfies(e -> assertThat(messages(e))
            .contains("jetty.tether.peerBindingTtl=soon is invalid: expected a duration"));
    // Jetty converts the text itself: its exception names the value and its log the <Set> element.
    assertThatThrownBy(() -> configure(Map.of("jetty.tether.maxAssociations", "lots")))
        .satisfies(e -> assertThat(messages(e)).contains("\"lots\""));
  }

  @Test
  void xml_durations_takeUnitsIsoAndMilliseconds() throws Exception {
    JettyTether tether = configure(Map.of("jetty.tether.grace", "PT1.5S",
        "jetty.tether.peerBindingTtl", "120000"));
    assertThat(tether.getGrace()).isEqualTo("1500ms");
    assertThat(tether.getPeerBindingTtl()).isEqualTo("2m");
  }

  @Test
  void xml_coversEverySharedSetting_withItsSharedDefault() throws Exception {
    String xml = Files.readString(CONFIG.resolve("etc/jetty-tether.xml"));
    Map<String, String> xmlDefaults = new LinkedHashMap<>();
    for (Matcher m = XML_PROPERTY.matcher(xml); m.find(); ) {
      xmlDefaults.put(m.group(1), m.group(2));
    }
    for (Setting s : Setting.values()) {
      assertThat(xmlDefaults).as(s.key())
          .containsEntry(JettyTether.PROPERTY_PREFIX + s.key(), s.defaultText());
    }
  }

  @Test
  void mod_listsEveryXmlProperty_withTheSameDefault_eachASetter() throws Exception {
    String xml = Files.readString(CONFIG.resolve("etc/jetty-tether.xml"));
    String mod = section("ini-template");
    Map<String, String> xmlDefaults = new LinkedHashMap<>();
    for (Matcher m = XML_PROPERTY.matcher(xml); m.find(); ) {
      xmlDefaults.put(m.group(1), m.group(2));
    }
    Map<String, String> iniDefaults = new LinkedHashMap<>();
    for (Matcher m = INI_PROPERTY.matcher(mod); m.find(); ) {
      iniDefaults.put(m.group(1), m.group(2));
    }
    assertThat(iniDefaults).isEqualTo(xmlDefaults).isNotEmpty();
    List<String> setters = Arrays.stream(JettyTether.class.getMethods())
        .map(Method::getName).filter(n -> n.startsWith("set")).toList();
    for (String property : xmlDefaults.keySet()) {
      String name = property.substring(JettyTether.PROPERTY_PREFIX.length());
      assertThat(setters).as(property).contains("set" + Character.toUpperCase(name.charAt(0))
          + name.substring(1));
      assertThat(xml).as(property).contains("<Set name=\"" + name + "\"");
    }
  }

  @Test
  void mod_dependsOnSsl_loadsTheXmlAndLib_keepsSessionsStateful_refusesRenegotiationWithAnAlert()
      throws Exception {
    assertThat(section("depend")).contains("ssl");
    assertThat(section("xml").trim()).isEqualTo("etc/jetty-tether.xml");
    assertThat(section("lib").trim()).isEqualTo("lib/tether/*.jar");
    assertThat(section("exec").trim().lines()).containsExactly(
        "-D" + StatefulSessions.PROPERTY + "=false", "-D" + ClientRenegotiation.PROPERTY + "=true");
    assertThat(CONFIG.resolve("etc/jetty-tether.xml")).exists();
  }

  /** Returns the text of one [section] of tether.mod. */
  private static String section(String name) throws Exception {
    List<String> lines = Files.readAllLines(CONFIG.resolve("modules/tether.mod"));
    StringBuilder text = new StringBuilder();
    boolean in = false;
    for (String line : lines) {
      if (line.matches("^\\[[a-z-]+]$")) {
        in = line.equals("[" + name + "]");
      } else if (in) {
        text.append(line).append('\n');
      }
    }
    assertThat(text).as("[" + name + "] in tether.mod").isNotEmpty();
    return text.toString();
  }

  private static List<Method> managedGetters() {
    List<Method> getters = new ArrayList<>();
    for (String name : List.of("getRegistryName", "getGrace", "getMaxAssociations",
        "getMaxAssociationsPerPeer", "getProvider", "isRequireStatefulSessions",
        "isRenegotiationAllowed", "getConnectorNames", "getPolicies", "getPeerBindingTtl",
        "getMaxBoundPeers")) {
      try {
        getters.add(JettyTether.class.getMethod(name));
      } catch (NoSuchMethodException e) {
        throw new AssertionError(name, e);
      }
    }
    return getters;
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t).append('\n');
      for (Throwable s : t.getSuppressed()) {
        all.append(s).append('\n');
      }
    }
    return all.toString();
  }
}
