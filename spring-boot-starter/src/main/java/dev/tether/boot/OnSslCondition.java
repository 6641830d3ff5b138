package dev.tether.boot;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.Ssl;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the embedded web server serves HTTPS: {@code server.ssl.*} configures a key (a
 * bundle, a key store or a certificate) and {@code server.ssl.enabled} is not {@code false}, as
 * Spring Boot's own {@link Ssl#isEnabled(Ssl)} decides.
 */
final class OnSslCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    Ssl ssl = Binder.get(context.getEnvironment()).bind("server.ssl", Ssl.class).orElse(null);
    if (!Ssl.isEnabled(ssl)) {
      return ConditionOutcome.noMatch("server.ssl is not enabled");
    }
    if (ssl.getBundle() == null && ssl.getKeyStore() == null && ssl.getCertificate() == null) {
      return ConditionOutcome.noMatch("server.ssl names no bundle, key store or certificate");
    }
    return ConditionOutcome.match("server.ssl is enabled");
  }
}
