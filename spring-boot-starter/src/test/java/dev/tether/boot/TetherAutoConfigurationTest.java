package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.internal.Setting;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration without a server: when it applies, how the {@code tether.*} properties
 * become the registry, and how a refused value or a JVM without Tether's flags is reported.
 */
@ExtendWith(OutputCaptureExtension.class)
class TetherAutoConfigurationTest {
  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TetherAutoConfiguration.class,
          TetherSecurityAutoConfiguration.class, TetherActuatorAutoConfiguration.class,
          TetherMetricsAutoConfiguration.class));

  private WebApplicationContextRunner withSsl() {
    return runner.withPropertyValues(TestTls.serverSsl());
  }

  @Test
  void withoutServerSsl_tetherStaysOff() {
    runner.run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(AssociationRegistry.class).doesNotHaveBean(TetherRequestFilter.class));
  }

  @Test
  void withServerSslDisabled_tetherStaysOff() {
    withSsl().withPropertyValues("server.ssl.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(AssociationRegistry.class));
  }

  @Test
  void tetherEnabledFalse_turnsItOff_evenWithValuesItWouldRefuse() {
    withSsl().withPropertyValues("tether.enabled=false", "tether.grace=-5s")
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(AssociationRegistry.class));
  }

  @Test
  void withServerSsl_theRegistryAndTheFilterAreThere_andTheRegistryClosesWithTheContext() {
    AssociationRegistry[] seen = new AssociationRegistry[1];
    withSsl().run(context -> {
      assertThat(context).hasSingleBean(AssociationRegistry.class)
          .hasSingleBean(TetherRequestFilter.class)
          .hasSingleBean(SecurityLogins.class)
          .doesNotHaveBean(TomcatTetherCustomizer.class).doesNotHaveBean(JettyTetherCustomizer.class);
      FilterRegistrationBean<?> filter = context.getBean("tetherRequestFilterRegistration",
          FilterRegistrationBean.class);
      assertThat(filter.getOrder()).isLessThan(-100);
      seen[0] = context.getBean(AssociationRegistry.class);
      assertThat(seen[0].isClosed()).isFalse();
    });
    assertThat(seen[0].isClosed()).isTrue();
  }

  @Test
  void withEmbeddedTomcat_theTomcatCustomizerIsThere() {
    withSsl().withUserConfiguration(TomcatFactory.class).run(context -> assertThat(context)
        .hasSingleBean(TomcatTetherCustomizer.class).doesNotHaveBean(JettyTetherCustomizer.class));
  }

  @Test
  void properties_configureTheRegistry_inEveryUnitTheSettingsTake() {
    withSsl().withPropertyValues("tether.registry-name=shop", "tether.grace=PT45S",
            "tether.max-associations=5000", "tether.max-associations-per-peer=7",
            "tether.peer-binding-ttl=2h", "tether.policies=classpath:sample-policies.conf")
        .run(context -> {
          AssociationRegistry registry = context.getBean(AssociationRegistry.class);
          assertThat(registry.name()).isEqualTo("shop");
          assertThat(registry.maxAssociations()).isEqualTo(5000);
          assertThat(registry.maxAssociationsPerPeer()).isEqualTo(7);
          assertThat(registry.policies().policies().policies()).extracting(p -> p.name())
              .containsExactly("browse", "customer", "admin", "partner");
          TetherSettings settings = context.getBean(TetherSettings.class);
          assertThat(settings.adapterSettings().text(Setting.GRACE)).isEqualTo("45s");
          assertThat(settings.adapterSettings().text(Setting.PEER_BINDING_TTL)).isEqualTo("2h");
        });
    withSsl().withPropertyValues("tether.grace=1500").run(context -> assertThat(context
        .getBean(AssociationRegistry.class).defaultPolicy().grace()).isEqualTo(Duration.ofMillis(1500)));
    // Spring Boot's relaxed binding: camel case, underscores, as an environment variable would say.
    withSsl().withPropertyValues("tether.maxAssociationsPerPeer=9", "tether.registry_name=relaxed")
        .run(context -> {
          AssociationRegistry registry = context.getBean(AssociationRegistry.class);
          assertThat(registry.maxAssociationsPerPeer()).isEqualTo(9);
          assertThat(registry.name()).isEqualTo("relaxed");
        });
  }

  @Test
  void registryCustomizers_adjustTheBuilder_afterTheProperties() {
    withSsl().withPropertyValues("tether.grace=10s").withUserConfiguration(Customized.class)
        .run(context -> assertThat(context.getBean(AssociationRegistry.class).defaultPolicy()
            .grace()).isEqualTo(Duration.ofSeconds(5)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tether.grace=-5s | tether.grace=-5s is invalid: expected a duration, 0 or more",
      "tether.max-associations=0 | tether.max-associations=0 is invalid: expected 1 to 2147483647",
      "tether.max-associations-per-peer=-1 | tether.max-associations-per-peer=-1 is invalid",
      "tether.provider=openssl | tether.provider=openssl is invalid: expected jdk or bcjsse",
      "tether.registry-name=no spaces | tether.registry-name=no spaces is invalid: expected"
          + " letters, digits, '.', '_' or '-'",
      "tether.peer-binding-ttl=0 | tether.peer-binding-ttl=0 is invalid: expected a duration,"
          + " more than 0",
      "tether.max-bound-peers=0 | tether.max-bound-peers=0 is invalid: expected 1 or more",
      "tether.cluster-heartbeat=2m | tether.cluster-heartbeat=2m is invalid: expected a duration"
          + " from 10ms to 1m",
      "tether.cluster-ack-timeout=11s | tether.cluster-ack-timeout=11s is invalid",
      "tether.cluster-max-length=99 | tether.cluster-max-length=99 is invalid: expected 100 or more",
      "tether.cluster-stream=a b | tether.cluster-stream=a b is invalid",
      "tether.cluster-node=-bad name- | tether.cluster-node=-bad name- is invalid",
      "tether.policies=classpath:no-such.conf | tether.policies=classpath:no-such.conf is invalid:"
          + " the resource cannot be read",
      "tether.policies=classpath:bad-policies.conf | tether.policies=classpath:bad-policies.conf is"
          + " invalid: classpath:bad-policies.conf:3: on-login = 'everything' must be one of none,"
          + " connection, peer, all",
      "tether.policies=no/such/file.conf | tether.policies=no/such/file.conf is invalid: the file"
          + " cannot be read",
      "tether.policies=file:no/such/file.conf | tether.policies=file:no/such/file.conf is invalid:"
          + " the file cannot be read",
      "tether.cluster-uri=redis://127.0.0.1:6379 | tether.cluster-node= is invalid: clusterNode is"
          + " not set (a name unique in the cluster)",
      "tether.cluster-uri=http://127.0.0.1:6379 | tether.cluster-uri=http://127.0.0.1:6379 is"
          + " invalid: clusterUri: no cluster module on the class path takes 'http://' URIs"})
  void refusedProperty_failsTheStart_andTheAnalysisNamesIt(String property, String message) {
    String name = message.substring(0, message.indexOf('='));
    withSsl().withPropertyValues(property).run(context -> {
      FailureAnalysis analysis = analysis(context);
      assertThat(analysis.getDescription()).startsWith("Tether cannot start: " + message);
      assertThat(analysis.getAction()).startsWith("Update " + name + " in the application's"
          + " configuration");
    });
  }

  @Test
  void statelessTickets_withTheRenegotiationFlagSet_askForTheTicketFlagOnly() {
    JdkTlsProperties.with(null, "true", () -> withSsl().run(context ->
        assertThat(analysis(context).getAction())
            .startsWith("Start the JVM with -Djdk.tls.server.enableSessionTicketExtension=false,")
            .doesNotContain("rejectClientInitiatedRenegotiation")));
  }

  @Test
  void statelessTickets_onlyWarn_whenStatefulSessionsAreNotRequired(CapturedOutput output) {
    JdkTlsProperties.with(null, "true", () -> withSsl()
        .withPropertyValues("tether.require-stateful-sessions=false")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(AssociationRegistry.class)));
    assertThat(lines(output, "Tether runs degraded: the JDK TLS server uses stateless session"
        + " tickets")).singleElement().asString()
        .contains("(tether.require-stateful-sessions=false lets it start");
  }

  @Test
  void statefulSessions_withoutTheRenegotiationFlag_warnNamingIt(CapturedOutput output) {
    JdkTlsProperties.with("false", null, () -> withSsl()
        .run(context -> assertThat(context).hasNotFailed()));
    assertThat(lines(output, "Tether refuses TLS renegotiation"
        + " (tether.renegotiation-allowed=false) by closing the connection")).singleElement()
        .asString().contains("Start the JVM with -Djdk.tls.rejectClientInitiatedRenegotiation=true");
  }

  private static java.util.List<String> lines(CapturedOutput output, String text) {
    return output.getAll().lines().filter(l -> l.contains(text)).toList();
  }

  @Test
  void renegotiationFlagTheJdkRejects_failsTheStartNamingIt() {
    JdkTlsProperties.with("false", "maybe", () -> withSsl().run(context -> {
      FailureAnalysis analysis = analysis(context);
      assertThat(analysis.getDescription()).isEqualTo("Tether cannot start: the JVM runs with"
          + " -Djdk.tls.rejectClientInitiatedRenegotiation=maybe, which is neither true nor false:"
          + " with it the JDK fails every TLS handshake");
      assertThat(analysis.getAction())
          .isEqualTo("Start the JVM with -Djdk.tls.rejectClientInitiatedRenegotiation=true");
    }));
  }

  private static FailureAnalysis analysis(AssertableWebApplicationContext context) {
    assertThat(context).hasFailed();
    FailureAnalysis analysis = new TetherFailureAnalyzer().analyze(context.getStartupFailure());
    assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
    return analysis;
  }

  @Configuration(proxyBeanMethods = false)
  static class TomcatFactory {
    @Bean
    TomcatServletWebServerFactory tomcat() {
      return new TomcatServletWebServerFactory(0);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Customized {
    @Bean
    TetherRegistryCustomizer shorterGrace() {
      return builder -> builder.grace(Duration.ofSeconds(5));
    }
  }
}
